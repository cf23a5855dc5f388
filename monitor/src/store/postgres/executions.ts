/**
 * n8n executions on Postgres, the same rules as sqlite/executions.ts: upserts by execution id, and a
 * run is counted once, in the upsert transaction, the first time it is stored with a final status.
 * Each upsert takes the aggregates lock first (aggregates.ts), so two replicas polling the same n8n
 * ingest one page after the other and the "first time final" test sees the other's commit.
 */
import type { Pool, PoolClient } from 'pg';
import type { ExecutionRecord, ExecutionStore, IngestResult } from '../../domain/store';
import { aggregateWriters, lockAggregates } from './aggregates';
import { inTransaction, run, type Statement } from './pool';
import { insertEvents } from './events';
import { type ExecutionRow, fromExecutionRow } from '../rows/executions';
import { type ExecutionWrite, ingestStep, IngestTally, type RecoveryPair, timeToRecovery, toExecutionWrite } from '../rows/ingest';

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
const STATE_SET = statement(
  'state-set',
  'INSERT INTO collector_state (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
);

const insertValues = (w: ExecutionWrite, now: number) => [
  w.id,
  w.handoff,
  w.workflow_id,
  w.status,
  w.finished,
  w.mode,
  w.started_at,
  w.stopped_at,
  w.wait_till,
  w.retry_of,
  w.retry_success_id,
  w.outcome,
  now,
];
const updateValues = (w: ExecutionWrite, now: number) => [
  w.id,
  w.status,
  w.finished,
  w.mode,
  w.started_at,
  w.stopped_at,
  w.wait_till,
  w.retry_of,
  w.retry_success_id,
  w.outcome,
  now,
];

async function select(client: PoolClient, id: string): Promise<ExecutionRow | undefined> {
  return (await run<ExecutionRow>(client, SELECT, [id])).rows[0];
}

/** Failed run → its retry's success: time to recovery, observed once per failed run (rows/ingest.ts). */
async function recover(client: PoolClient, pair: RecoveryPair, now: number) {
  const failed = await select(client, pair.failedId);
  const seconds = timeToRecovery(failed, await select(client, pair.successId));
  if (seconds === undefined) return;
  await run(client, MARK_RECOVERED, [now, failed!.id]);
  await aggregateWriters.observe(client, 'time_to_recovery', failed!.handoff, seconds);
}

async function upsertIn(client: PoolClient, records: ExecutionRecord[], now: number): Promise<IngestResult> {
  await lockAggregates(client);
  const tally = new IngestTally();
  for (const rec of records) {
    const write = toExecutionWrite(rec);
    let previous: ExecutionRow | undefined;
    if ((await run(client, INSERT, insertValues(write, now))).rowCount === 0) {
      previous = await select(client, rec.id);
      if (!previous) continue;
    }
    const step = ingestStep(rec, write, previous);
    if (step.kind === 'stale') continue;
    if (step.update) await run(client, UPDATE, updateValues(step.update, now));
    tally.add(rec, step);
    if (step.recovery) await recover(client, step.recovery, now);
  }
  await aggregateWriters.countFinished(client, tally.finishedRuns(now), now);
  await insertEvents(client, tally.failedEvents(now));
  for (const [handoff, at] of tally.latestRuns()) await run(client, BUMP_ACTIVITY, [handoff, at, now]);
  return tally.result();
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
