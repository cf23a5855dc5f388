/**
 * Holds the contract in force. A reload that fails keeps the last good version (and says why in
 * the log), so a typo in handoffs.yaml never takes ownership data away from a running monitor.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, unwatchFile, watchFile } from 'fs';
import type { Logger } from 'pino';
import { ContractError, readContract } from './load';
import { Contract, EMPTY_CONTRACT, Handoff } from './schema';

/**
 * Largest contract file read. YAML parsing runs on the event loop at roughly 1 MB a second, so a
 * 50 MB file froze the API for seconds; 512 KiB holds ~800 fully described handoffs.
 */
export const MAX_CONTRACT_BYTES = 512 * 1024;

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KiB`);

/** The file's text, refusing anything over the cap without reading it (nor what grows past it meanwhile). */
function readBounded(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const tooBig = (bytes: number) =>
      new ContractError(file, [
        `the file is ${size(bytes)}; a contract may be at most ${size(MAX_CONTRACT_BYTES)} (HANDOFF_CONTRACTS: is it the right file?)`,
      ]);
    const declared = fstatSync(fd).size;
    if (declared > MAX_CONTRACT_BYTES) throw tooBig(declared);
    const buffer = Buffer.alloc(MAX_CONTRACT_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_CONTRACT_BYTES) throw tooBig(Math.max(length, fstatSync(fd).size));
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

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
    const { contract: next, declaresHandoffs } = readContract(readBounded(opts.file), opts.file);
    // An editor that truncates before it writes, a disk that filled mid-save: a reload that finds no
    // `handoffs:` at all while handoffs are in force keeps them (typo'd ids would otherwise be accepted).
    if (!declaresHandoffs && contract.handoffs.length > 0) {
      const n = contract.handoffs.length;
      throw new ContractError(opts.file, [
        `has no handoffs: key (empty, or cut short while being written?); keeping the contract in force (${n} handoff${n === 1 ? '' : 's'}). To remove every handoff on purpose, write "handoffs: []"`,
      ]);
    }
    return next;
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
