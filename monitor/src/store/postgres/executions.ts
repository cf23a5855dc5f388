/**
 * n8n executions on Postgres, the same rules as sqlite/executions.ts: upserts by execution id, and a
 * run is counted once, in the upsert transaction, the first time it is stored with a final status.
 * Each upsert takes the aggregates lock first (aggregates.ts), so two replicas polling the same n8n
 * ingest one page after the other and the "first time final" test sees the other's commit.
 */
import type { Pool, PoolClient } from 'pg';
import { isFailed, isFinal } from '../../domain/metric-definitions';
import type { ExecutionRecord, ExecutionStore, IngestResult, StoredExecution } from '../../domain/store';
import { aggregateWriters, lockAggregates, type FinishedRun } from './aggregates';
import { inTransaction, run, type Statement } from './pool';
import { insertEvents } from './events';
import { executionFailedEvent } from '../../outcomes/signals';
import { type ExecutionRow, fromExecutionRow } from '../rows/executions';

const statement = (name: string, text: string): Statement => ({ name: `handoff-executions-${name}`, text });
const SELECT = statement('select', 'SELECT * FROM executions WHERE id = $1');
const INSERT = statement(
  'insert',
  `INSERT INTO executions (id, handoff, workflow_id, status, finished, mode, started_at, stopped_at, wait_till,
     retry_of, retry_success_id, outcome, seen_at, updated_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
   ON CONFLICT (id) DO NOTHING`,
);
const UPDATE = statement(
  'update',
  `UPDATE executions SET status = $2, finished = $3, mode = $4, started_at = $5, stopped_at = $6, wait_till = $7,
     retry_of = $8, retry_success_id = $9, outcome = $10, updated_at = $11
   WHERE id = $1`,
);
const MARK_RECOVERED = statement('mark-recovered', 'UPDATE executions SET recovered_at = $1 WHERE id = $2');
const BUMP_ACTIVITY = statement(
  'bump-activity',
  `INSERT INTO handoff_activity (handoff, last_run_at, watching_since) VALUES ($1, $2, $3)
   ON CONFLICT (handoff) DO UPDATE SET last_run_at = GREATEST(coalesce(handoff_activity.last_run_at, 0), excluded.last_run_at)`,
);
const UNFINISHED = statement('unfinished', 'SELECT * FROM executions WHERE finished = 0 ORDER BY started_at LIMIT $1');
const FORGET = statement('forget', 'DELETE FROM executions WHERE id = ANY($1::text[]) AND finished = 0');
const SET_FAILURE = statement(
  'set-failure',
  'UPDATE executions SET failed_node = coalesce($1, failed_node), error_message = coalesce($2, error_message) WHERE id = $3',
);
const STATE_GET = statement('state-get', 'SELECT value FROM collector_state WHERE name = $1');
const STATE_SET = statement('state-set', 'INSERT INTO collector_state (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value');

type UpdateParams = Pick<ExecutionRow, 'id' | 'status' | 'finished' | 'mode' | 'started_at' | 'stopped_at' | 'wait_till' | 'retry_of' | 'retry_success_id' | 'outcome'>;

const updateValues = (p: UpdateParams, now: number) => [
  p.id, p.status, p.finished, p.mode, p.started_at, p.stopped_at, p.wait_till, p.retry_of, p.retry_success_id, p.outcome, now,
];

async function select(client: PoolClient, id: string): Promise<ExecutionRow | undefined> {
  return (await run<ExecutionRow>(client, SELECT, [id])).rows[0];
}

/** Failed run → its retry's success: time to recovery, observed once per failed run. */
async function recover(client: PoolClient, failed: ExecutionRow, successStoppedAt: number | null, now: number) {
  if (failed.recovered_at !== null || failed.stopped_at === null || successStoppedAt === null) return;
  if (!isFailed(failed.status)) return;
  await run(client, MARK_RECOVERED, [now, failed.id]);
  await aggregateWriters.observe(client, 'time_to_recovery', failed.handoff, (successStoppedAt - failed.stopped_at) / 1000);
}

async function upsertIn(client: PoolClient, records: ExecutionRecord[], now: number): Promise<IngestResult> {
  await lockAggregates(client);
  let inserted = 0;
  let updated = 0;
  const newlyFinished: StoredExecution[] = [];
  const finishedRuns: FinishedRun[] = [];
  const lastRun = new Map<string, number>();
  for (const rec of records) {
    const final = isFinal(rec.status);
    const params: UpdateParams = {
      id: rec.id,
      status: rec.status,
      finished: final ? 1 : 0,
      mode: rec.mode,
      started_at: rec.startedAt,
      stopped_at: rec.stoppedAt,
      wait_till: rec.waitTill,
      retry_of: rec.retryOf,
      retry_success_id: rec.retrySuccessId,
      outcome: final && rec.status === 'success' && rec.expectOutcome ? 'pending' : null,
    };
    const insertValues = [
      rec.id, rec.handoff, rec.workflowId, rec.status, params.finished, rec.mode, rec.startedAt, rec.stoppedAt, rec.waitTill,
      rec.retryOf, rec.retrySuccessId, params.outcome, now,
    ];
    let previous: ExecutionRow | undefined;
    if ((await run(client, INSERT, insertValues)).rowCount === 1) {
      inserted++;
    } else {
      previous = await select(client, rec.id);
      if (!previous) continue;
      // A final status never changes back: a stale read of a run we already saw finish is ignored,
      // except for retry_success_id, which n8n sets later on the failed run.
      if (previous.finished === 1) {
        if (rec.retrySuccessId && rec.retrySuccessId !== previous.retry_success_id) {
          await run(client, UPDATE, updateValues({ ...previous, retry_success_id: rec.retrySuccessId }, now));
          updated++;
          const success = await select(client, rec.retrySuccessId);
          if (success?.status === 'success') await recover(client, previous, success.stopped_at, now);
        }
        continue;
      }
      await run(client, UPDATE, updateValues(params, now));
      updated++;
    }
    if (rec.startedAt !== null) lastRun.set(rec.handoff, Math.max(lastRun.get(rec.handoff) ?? 0, rec.startedAt));
    if (!final) continue;
    // Built from what was just written (no read back): only the failure columns are kept from before.
    newlyFinished.push({
      ...rec,
      finished: true,
      expectOutcome: params.outcome !== null,
      failedNode: previous?.failed_node ?? null,
      errorMessage: previous?.error_message ?? null,
    });
    finishedRuns.push({ handoff: rec.handoff, status: rec.status, at: rec.stoppedAt ?? rec.startedAt ?? now });
    if (rec.status === 'success' && rec.retryOf) {
      const failed = await select(client, rec.retryOf);
      if (failed) await recover(client, failed, rec.stoppedAt, now);
    } else if (isFailed(rec.status) && rec.retrySuccessId) {
      const success = await select(client, rec.retrySuccessId);
      if (success?.status === 'success') await recover(client, (await select(client, rec.id))!, success.stopped_at, now);
    }
  }
  await aggregateWriters.countFinished(client, finishedRuns);
  // A failed run fails every pair that ran in it (the outcome fold finds them by execution id).
  await insertEvents(client, newlyFinished.filter((r) => isFailed(r.status)).map((r) => executionFailedEvent(r, now)));
  for (const [handoff, at] of lastRun) await run(client, BUMP_ACTIVITY, [handoff, at, now]);
  return { inserted, updated, newlyFinished };
}

export function createPostgresExecutions(pool: Pool): ExecutionStore {
  return {
    upsert: (records, now) => inTransaction(pool, (client) => upsertIn(client, records, now)),
    async get(id) {
      const row = (await run<ExecutionRow>(pool, SELECT, [id])).rows[0];
      return row && fromExecutionRow(row);
    },
    async unfinished(limit) {
      return (await run<ExecutionRow>(pool, UNFINISHED, [limit])).rows.map(fromExecutionRow);
    },
    async forget(ids) {
      if (ids.length) await run(pool, FORGET, [ids]);
    },
    async setFailure(id, failure) {
      await run(pool, SET_FAILURE, [failure.node ?? null, failure.message ?? null, id]);
    },
    async watermark() {
      return (await run<{ value: string }>(pool, STATE_GET, ['watermark'])).rows[0]?.value;
    },
    async setWatermark(value) {
      await run(pool, STATE_SET, ['watermark', value]);
    },
  };
}
