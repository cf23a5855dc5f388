/**
 * Handoff outcomes on Postgres: the same fold as sqlite/outcomes.ts, safe across replicas.
 *
 * Event ids come from a sequence, and Postgres hands them out at insert time, not at commit: a
 * transaction holding id 100 may commit after one holding 101, so "everything past the watermark"
 * could skip 100 for good. Before each fold a short transaction takes a SHARE ROW EXCLUSIVE lock
 * on `events` — it waits for every transaction that is inserting events to finish and keeps new
 * ones out for that instant — and reads max(id): every id up to it is then committed or gone. The
 * fold itself runs under the aggregates lock (one folder at a time across replicas) and walks only
 * up to that id. The short lock has a timeout: under a lock queue it gives up and the next call
 * tries again, rather than joining a deadlock.
 */
import type { Pool, PoolClient } from 'pg';
import type { Incident } from '../../../../protocol/incidents';
import { toWire } from '../../incidents/record';
import { failedExecutionIds, foldOutcomes, type OutcomeEvent, pairKey, recoveredResolution } from '../../outcomes/decide';
import type { PairOutcome } from '../../domain/outcomes';
import { fromOutcomeRow, OUTCOME_COLUMNS, type OutcomeRow, toOutcomeRow, toQueueEntry } from '../rows/outcomes';
import { countPairs, groupCounts, horizonsOf } from '../rows/windows';
import { type EventRow, fromEventRow } from '../rows/events';
import type { FoldReport, OutcomeStore, QueueEntry } from '../../domain/store';
import { aggregateWriters, lockAggregates } from './aggregates';
import { fromIncidentRow, type IncidentRow } from './incident-rows';
import { recoverKeyIn } from './incidents';
import { inTransaction, run, type Statement } from './pool';

export const FOLD_BATCH = 2_000;

const statement = (name: string, text: string): Statement => ({ name: `handoff-outcomes-${name}`, text });
const STATE_GET = statement('state-get', 'SELECT value FROM collector_state WHERE name = $1');
const STATE_SET = statement(
  'state-set',
  'INSERT INTO collector_state (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
);
const EVENTS = statement('events', 'SELECT * FROM events WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3');
const PAIRS = statement(
  'pairs',
  `SELECT o.* FROM handoff_outcomes o JOIN json_to_recordset($1::json) AS k (handoff text, key text)
   ON o.handoff = k.handoff AND o.key = k.key`,
);
const BY_EXECUTION = statement('by-execution', 'SELECT * FROM handoff_outcomes WHERE last_execution_id = ANY($1::text[])');
const SAVE = statement(
  'save',
  `INSERT INTO handoff_outcomes (${OUTCOME_COLUMNS.join(', ')})
   SELECT ${OUTCOME_COLUMNS.join(', ')} FROM json_populate_recordset(NULL::handoff_outcomes, $1::json)
   ON CONFLICT (handoff, key) DO UPDATE SET ${OUTCOME_COLUMNS.slice(2)
     .map((c) => `${c} = excluded.${c}`)
     .join(', ')}`,
);
const BUMP_BUCKETS = statement(
  'bump-buckets',
  `INSERT INTO outcome_buckets (resolution, bucket, handoff, seen, failed)
   SELECT resolution, bucket, handoff, count, failed
   FROM json_to_recordset($1::json) AS r (resolution bigint, bucket bigint, handoff text, count integer, failed integer)
   ON CONFLICT (resolution, bucket, handoff) DO UPDATE
   SET seen = outcome_buckets.seen + excluded.seen, failed = outcome_buckets.failed + excluded.failed`,
);
const BUMP_WINDOWS = statement(
  'bump-windows',
  `INSERT INTO outcome_windows (handoff, span, seen, failed)
   SELECT handoff, span, count, failed FROM json_to_recordset($1::json) AS r (handoff text, span text, count integer, failed integer)
   ON CONFLICT (handoff, span) DO UPDATE
   SET seen = outcome_windows.seen + excluded.seen, failed = outcome_windows.failed + excluded.failed`,
);
const HORIZONS = statement('horizons', 'SELECT span, horizon FROM window_horizons');
/**
 * The queue page with each entry's latest unresolved incident, in one statement: the page of pairs
 * first (its own ORDER BY and LIMIT), then one lateral lookup per pair. The incident comes back as
 * one JSON value (to_json of the row), so its columns cannot collide with the pair's.
 */
const QUEUE = statement(
  'queue',
  `SELECT o.*, to_json(i) AS incident
   FROM (
     SELECT * FROM handoff_outcomes
     WHERE failed_at IS NOT NULL AND completed_at IS NULL AND closed_at IS NULL
       AND ($1::text IS NULL OR handoff = $1) AND ($2::text IS NULL OR last_failure_kind = $2)
       AND ($3::text[] IS NULL OR key = ANY($3::text[]))
     ORDER BY failed_at, handoff, key LIMIT $4
   ) o
   LEFT JOIN LATERAL (
     SELECT * FROM incidents
     WHERE incidents.handoff = o.handoff AND incidents.idempotency_key = o.key AND incidents.state <> 'resolved'
     ORDER BY incidents.id DESC LIMIT 1
   ) i ON true
   ORDER BY o.failed_at, o.handoff, o.key`,
);
const PAIR = statement('pair', 'SELECT * FROM handoff_outcomes WHERE handoff = $1 AND key = $2');
const COMPLETED = statement(
  'completed',
  'SELECT * FROM handoff_outcomes WHERE completed_at IS NOT NULL ORDER BY completed_at DESC LIMIT $1',
);

/** The highest event id below which every insert has committed (or rolled back); undefined when busy. */
async function settledEventId(pool: Pool): Promise<number | undefined> {
  try {
    return await inTransaction(pool, async (client) => {
      await client.query("SET LOCAL lock_timeout = '500ms'");
      await client.query('LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE');
      const { rows } = await client.query<{ max: string | number | null }>('SELECT max(id) AS max FROM events');
      return rows[0]?.max === null || rows[0]?.max === undefined ? 0 : Number(rows[0].max);
    });
  } catch (err) {
    if ((err as { code?: string }).code === '55P03') return undefined; // lock_not_available: try on the next call
    throw err;
  }
}

/** Pairs seen and failed, into the buckets and the windows (rows/windows.ts decides which): one statement per table. */
async function countOutcomes(client: PoolClient, counts: { handoff: string; at: number; seen: number; failed: number }[], now: number) {
  if (counts.length === 0) return;
  const { rows } = await run<{ span: string; horizon: number }>(client, HORIZONS);
  const { buckets, windows } = groupCounts(countPairs(counts), horizonsOf(rows), now);
  if (buckets.length > 0) await run(client, BUMP_BUCKETS, [JSON.stringify(buckets)]);
  if (windows.length > 0) await run(client, BUMP_WINDOWS, [JSON.stringify(windows)]);
}

async function foldIn(client: PoolClient, upTo: number, now: number): Promise<FoldReport> {
  // One folder at a time across replicas, and never beside a window move or an ingest.
  await lockAggregates(client);
  const mark = Number((await run<{ value: string }>(client, STATE_GET, ['outcome_fold'])).rows[0]?.value ?? 0);
  const { rows } = await run<EventRow>(client, EVENTS, [mark, upTo, FOLD_BATCH]);
  if (rows.length === 0) return { events: 0, recovered: [], more: false };
  const events: OutcomeEvent[] = rows.map((r) => fromEventRow(r, 'parsed'));
  const wanted = new Map<string, { handoff: string; key: string }>();
  for (const e of events) if (e.key) wanted.set(pairKey(e.handoff, e.key), { handoff: e.handoff, key: e.key });
  const pairs = new Map<string, PairOutcome>();
  if (wanted.size > 0) {
    for (const row of (await run<OutcomeRow>(client, PAIRS, [JSON.stringify([...wanted.values()])])).rows) {
      const p = fromOutcomeRow(row);
      pairs.set(pairKey(p.handoff, p.key), p);
    }
  }
  const keysByExecution = new Map<string, { handoff: string; key: string }[]>();
  const failedIds = failedExecutionIds(events);
  if (failedIds.length > 0) {
    for (const row of (await run<OutcomeRow>(client, BY_EXECUTION, [failedIds])).rows) {
      const p = fromOutcomeRow(row);
      if (!pairs.has(pairKey(p.handoff, p.key))) pairs.set(pairKey(p.handoff, p.key), p);
      const list = keysByExecution.get(p.lastExecutionId!) ?? [];
      list.push({ handoff: p.handoff, key: p.key });
      keysByExecution.set(p.lastExecutionId!, list);
    }
  }
  const result = foldOutcomes(events, { pairs, keysByExecution });
  if (result.pairs.length > 0) await run(client, SAVE, [JSON.stringify(result.pairs.map(toOutcomeRow))]);
  await countOutcomes(client, result.counts, now);
  for (const o of result.observations) await aggregateWriters.observe(client, o.metric, o.handoff, o.seconds);
  const recovered: Incident[] = [];
  for (const r of result.recoveries) recovered.push(...(await recoverKeyIn(client, r.handoff, r.key, recoveredResolution(r), now)));
  await run(client, STATE_SET, ['outcome_fold', String(events[events.length - 1].id)]);
  return { events: events.length, recovered, more: events.length === FOLD_BATCH };
}

export function createPostgresOutcomes(pool: Pool): OutcomeStore {
  return {
    async fold(now) {
      const upTo = await settledEventId(pool);
      if (upTo === undefined) return { events: 0, recovered: [], more: true };
      return inTransaction(pool, (client) => foldIn(client, upTo, now));
    },
    async pair(handoff, key) {
      const row = (await run<OutcomeRow>(pool, PAIR, [handoff, key])).rows[0];
      return row && fromOutcomeRow(row);
    },
    async queue(filter) {
      const { rows } = await run<OutcomeRow & { incident: IncidentRow | null }>(pool, QUEUE, [
        filter.handoff ?? null,
        filter.kind ?? null,
        filter.keys ?? null,
        filter.limit,
      ]);
      return rows.map(
        (row): QueueEntry => toQueueEntry(fromOutcomeRow(row), row.incident ? toWire(fromIncidentRow(row.incident)) : undefined),
      );
    },
    async recentlyCompleted(limit) {
      return (await run<OutcomeRow>(pool, COMPLETED, [limit])).rows.map(fromOutcomeRow);
    },
  };
}
