/**
 * Holds the contract in force. A reload that fails keeps the last good version (and says why in
 * the log), so a typo in handoffs.yaml never takes ownership data away from a running monitor.
 */
import { existsSync, readFileSync, unwatchFile, watchFile } from 'fs';
import type { Logger } from 'pino';
import { parseContract } from './load';
import { Contract, EMPTY_CONTRACT, Handoff } from './schema';

export interface ContractStore {
  current(): Contract;
  handoff(id: string): Handoff | undefined;
  /** Re-reads the file; returns the error message when the new version was rejected. */
  reload(): { ok: true } | { ok: false; error: string };
  /** Reloads when the file changes on disk. */
  watch(): void;
  close(): void;
  readonly file: string;
  /** When the contract in force was loaded, and the last rejected reload (if any) — for /readyz. */
  status(): { loadedAt: number; source: 'file' | 'empty'; lastError?: string };
}

export interface ContractStoreOptions {
  file: string;
  /** The user named the file: it must exist. Otherwise a missing default file means "no contract yet". */
  required: boolean;
  logger: Logger;
  now?: () => number;
}

/** Loads once (throwing on a bad or missing required file, so start-up fails loudly). */
export function createContractStore(opts: ContractStoreOptions): ContractStore {
  const now = opts.now ?? Date.now;
  let contract: Contract = EMPTY_CONTRACT;
  let byId = new Map<string, Handoff>();
  let loadedAt = now();
  let source: 'file' | 'empty' = 'empty';
  let lastError: string | undefined;

  const read = (): Contract | undefined => {
    if (!existsSync(opts.file)) {
      if (opts.required) {
        throw new Error(`HANDOFF_CONTRACTS names ${opts.file}, which does not exist; create it or fix the path`);
      }
      return undefined;
    }
    return parseContract(readFileSync(opts.file, 'utf8'), opts.file);
  };

  const install = (next: Contract | undefined) => {
    contract = next ?? EMPTY_CONTRACT;
    byId = new Map(contract.handoffs.map((h) => [h.id, h]));
    loadedAt = now();
    source = next ? 'file' : 'empty';
    lastError = undefined;
  };

  install(read());
  if (source === 'empty') {
    opts.logger.warn({ file: opts.file }, 'no contract file: the ledger accepts any handoff id until one is added');
  } else {
    opts.logger.info({ file: opts.file, handoffs: contract.handoffs.length }, 'contract loaded');
  }

  const store: ContractStore = {
    file: opts.file,
    current: () => contract,
    handoff: (id) => byId.get(id),
    reload() {
      try {
        install(read());
        opts.logger.info({ file: opts.file, handoffs: contract.handoffs.length }, 'contract reloaded');
        return { ok: true };
      } catch (err) {
        lastError = (err as Error).message;
        opts.logger.error({ file: opts.file, err: lastError }, 'contract reload rejected; keeping the last good version');
        return { ok: false, error: lastError };
      }
    },
    watch() {
      watchFile(opts.file, { interval: 500 }, (curr, prev) => {
        if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size) store.reload();
      });
    },
    close() {
      unwatchFile(opts.file);
    },
    status: () => ({ loadedAt, source, lastError }),
  };
  return store;
}
