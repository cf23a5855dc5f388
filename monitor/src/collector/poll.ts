/**
 * One collector poll. n8n hides running executions from the plain listing (docs/n8n-facts.md), so the
 * highest id seen is not a safe watermark on its own. A poll therefore:
 *   1. pages the listing newest first down to the watermark (or, on the first poll, the backfill horizon);
 *   2. lists status=running and status=waiting, which holds the runs step 1 could not see;
 *   3. re-reads by id every stored unfinished run this poll did not see (it finished, or was deleted);
 *   4. reads by id every id between the watermark and the newest id of step 1 that no step saw: a run
 *      that finished between steps 1 and 2 (ids are sequential in n8n);
 * and only then moves the watermark. A poll that fails half-way leaves the watermark where it was; the
 * next one re-reads those pages and the store's upsert by id keeps every count exact.
 */
import type { ExecutionRecord, ExecutionStore, StoredExecution } from '../domain/store';
import type { N8nClient, N8nExecution } from './n8n-client';

/** At most this many by-id reads of gaps per poll; the watermark stops below the first one left. */
const MAX_GAP_READS = 500;
/** Unfinished runs re-read per poll, oldest first; more wait for the next poll. */
const MAX_REREADS = 1_000;

export interface PollDeps {
  client: N8nClient;
  executions: ExecutionStore;
  /** The handoff a workflow carries, or undefined (the run is not a handoff's and is not stored). */
  handoffOf(workflowId: string): string | undefined;
  /** Called with each page's workflow ids before mapping, so a workflow born since the last look is known. */
  learnWorkflows?(workflowIds: string[]): Promise<void>;
  /** The handoff uses the ledger: a success must be followed by a completed claim. */
  expectsOutcome(handoff: string): boolean;
  now(): number;
  /** How far back the first poll reads (there is no watermark yet). */
  backfillMs: number;
}

export interface PollSummary {
  pages: number;
  /** Executions read from n8n, whatever their workflow. */
  read: number;
  /** Executions that belong to a handoff and were upserted. */
  stored: number;
  reread: number;
  gaps: number;
  newlyFinished: StoredExecution[];
  watermark?: string;
}

const numericId = (id: string): number | undefined => (/^\d{1,15}$/.test(id) ? Number(id) : undefined);

export async function pollOnce(deps: PollDeps): Promise<PollSummary> {
  const summary: PollSummary = { pages: 0, read: 0, stored: 0, reread: 0, gaps: 0, newlyFinished: [] };
  const stored = await deps.executions.watermark();
  const watermark = stored === undefined ? undefined : Number(stored);
  const seen = new Set<string>();
  let newest: number | undefined;

  const ingest = async (runs: N8nExecution[]) => {
    const records: ExecutionRecord[] = [];
    if (deps.learnWorkflows && runs.length) await deps.learnWorkflows(runs.map((r) => r.workflowId));
    for (const run of runs) {
      seen.add(run.id);
      summary.read++;
      const handoff = deps.handoffOf(run.workflowId);
      if (!handoff) continue;
      records.push({
        id: run.id,
        handoff,
        workflowId: run.workflowId,
        status: run.status,
        mode: run.mode,
        startedAt: run.startedAt,
        stoppedAt: run.stoppedAt,
        waitTill: run.waitTill,
        retryOf: run.retryOf,
        retrySuccessId: run.retrySuccessId,
        expectOutcome: deps.expectsOutcome(handoff),
      });
    }
    if (records.length === 0) return;
    const result = await deps.executions.upsert(records, deps.now());
    summary.stored += records.length;
    summary.newlyFinished.push(...result.newlyFinished);
  };

  // 1. Newest first, down to the watermark.
  const horizon = deps.now() - deps.backfillMs;
  let cursor: string | undefined;
  do {
    const page = await deps.client.listExecutions({ cursor });
    summary.pages++;
    const fresh = page.data.filter((run) => {
      const n = numericId(run.id);
      if (watermark !== undefined) return n === undefined || n > watermark;
      return (run.startedAt ?? Number.POSITIVE_INFINITY) >= horizon;
    });
    for (const run of fresh) {
      const n = numericId(run.id);
      if (n !== undefined && (newest === undefined || n > newest)) newest = n;
    }
    await ingest(fresh);
    // Newest first: once a page holds an old run, every later page is older still.
    if (fresh.length < page.data.length) break;
    cursor = page.nextCursor;
  } while (cursor);

  // 2. What the plain listing hides (running) and what may sit below the watermark for days (waiting).
  for (const status of ['running', 'waiting']) {
    let next: string | undefined;
    do {
      const page = await deps.client.listExecutions({ status, cursor: next });
      summary.pages++;
      await ingest(page.data.filter((run) => !seen.has(run.id)));
      next = page.nextCursor;
    } while (next);
  }

  // 3. Stored unfinished runs that no listing showed: read each by id.
  const gone: string[] = [];
  for (const run of await deps.executions.unfinished(MAX_REREADS)) {
    if (seen.has(run.id)) continue;
    const fresh = await deps.client.getExecution(run.id, false);
    summary.reread++;
    if (fresh) await ingest([fresh]);
    else gone.push(run.id);
  }
  if (gone.length) await deps.executions.forget(gone);

  // 4. Ids nobody saw between the watermark and the newest listed run.
  let next = newest ?? watermark;
  if (watermark !== undefined && newest !== undefined) {
    for (let id = watermark + 1; id <= newest; id++) {
      if (seen.has(String(id))) continue;
      if (summary.gaps >= MAX_GAP_READS) {
        next = id - 1;
        break;
      }
      summary.gaps++;
      const fresh = await deps.client.getExecution(String(id), false);
      // Absent: deleted or pruned in n8n, nothing to count. Running: stored as unfinished, re-read later.
      if (fresh) await ingest([fresh]);
    }
  }
  // An empty n8n still gets a watermark, so the next poll checks gaps from the very first run.
  const mark = String(next ?? 0);
  if (mark !== stored) await deps.executions.setWatermark(mark);
  summary.watermark = mark;
  return summary;
}
