/**
 * The audit's only I/O: every workflow read through n8n's public API, page by page, and for the
 * dashboard a cached audit that is at most `ttlMs` old (one read of n8n at a time, however many
 * pages ask). The analysis itself is runAudit (pure).
 *
 * Exported API (stable):
 *   readWorkflows(client) → Promise<AuditWorkflow[]>
 *   createAuditSource({ client, contracts, n8nBaseUrl?, now?, ttlMs? }) → AuditSource
 */
import type { N8nWorkflowLister } from '../collector/n8n-client';
import type { ContractStore } from '../contract/store';
import { runAudit } from './analyse';
import { draftContract } from './draft';
import { fromN8n } from './from-n8n';
import type { AuditReport, AuditWorkflow } from './types';

/** 400 pages of 250: far beyond any n8n the audit is meant for, and a stop for a cursor that never ends. */
const MAX_PAGES = 400;

export async function readWorkflows(client: N8nWorkflowLister): Promise<AuditWorkflow[]> {
  const byId = new Map<string, AuditWorkflow>();
  const cursors = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { data, nextCursor } = await client.listWorkflowsWithNodes(cursor);
    for (const w of data) byId.set(w.id, fromN8n(w));
    if (!nextCursor || data.length === 0) return [...byId.values()];
    if (cursors.has(nextCursor)) throw new Error(`n8n sent the workflow cursor ${nextCursor} twice; stopping instead of reading forever`);
    cursors.add(nextCursor);
    cursor = nextCursor;
  }
  throw new Error(`n8n kept sending workflow pages after ${MAX_PAGES} pages of 250; stopping`);
}

export type AuditSnapshot =
  | { ok: true; at: number; report: AuditReport; draft: string }
  /** `pending`: the first read of n8n was still running when the caller stopped waiting. */
  | { ok: false; at: number; error: string; pending?: true };

export interface AuditSource {
  /**
   * The latest audit, read again when older than the TTL or when the contract was reloaded. With
   * `waitMs`, answers within that time: the previous audit (or a pending one) while a new read runs.
   */
  current(opts?: { waitMs?: number }): Promise<AuditSnapshot>;
}

export function createAuditSource(deps: {
  client: N8nWorkflowLister;
  contracts: ContractStore;
  n8nBaseUrl?: string;
  now?: () => number;
  ttlMs?: number;
}): AuditSource {
  const now = deps.now ?? Date.now;
  const ttlMs = deps.ttlMs ?? 60_000;
  let last: { snapshot: AuditSnapshot; contractLoadedAt: number } | undefined;
  let running: Promise<AuditSnapshot> | undefined;

  const run = async (): Promise<AuditSnapshot> => {
    const at = now();
    const status = deps.contracts.status();
    try {
      const workflows = await readWorkflows(deps.client);
      const contract = deps.contracts.current();
      const report = runAudit(workflows, contract, { now: at, contractLoaded: status.source === 'file', n8nBaseUrl: deps.n8nBaseUrl });
      const snapshot: AuditSnapshot = { ok: true, at, report, draft: draftContract(report, contract) };
      last = { snapshot, contractLoadedAt: status.loadedAt };
      return snapshot;
    } catch (err) {
      const snapshot: AuditSnapshot = { ok: false, at, error: (err as Error)?.message ?? String(err) };
      last = { snapshot, contractLoadedAt: status.loadedAt };
      return snapshot;
    }
  };

  return {
    current(opts = {}) {
      const fresh = last && now() - last.snapshot.at < ttlMs && last.contractLoadedAt === deps.contracts.status().loadedAt;
      if (fresh) return Promise.resolve(last!.snapshot);
      const pending = (running ??= run().finally(() => {
        running = undefined;
      }));
      if (opts.waitMs === undefined) return pending;
      let timer: NodeJS.Timeout | undefined;
      const stale: AuditSnapshot = last?.snapshot ?? { ok: false, at: now(), error: 'the audit is still reading n8n', pending: true };
      const timeout = new Promise<AuditSnapshot>((resolve) => {
        timer = setTimeout(() => resolve(stale), opts.waitMs);
        timer.unref?.();
      });
      return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
    },
  };
}
