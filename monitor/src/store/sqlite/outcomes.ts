/**
 * Handoff outcomes on SQLite: the fold walks events past its watermark in id order (SQLite hands
 * out ids in commit order, one writer at a time), applies the pure outcomes/decide.ts, and writes
 * pairs, window counts, histograms, recovered incidents and the watermark in one IMMEDIATE
 * transaction — a crash mid-fold leaves the previous state, and the next fold redoes the batch.
 */
import type { Incident } from '../../../../protocol/incidents';
import { failedExecutionIds, foldOutcomes, type OutcomeEvent, pairKey, recoveredResolution } from '../../outcomes/decide';
import type { PairOutcome } from '../../domain/outcomes';
import { toWire } from '../../incidents/record';
import type { OutcomeStore } from '../../domain/store';
import type { AggregateWriters } from './aggregates';
import { fromRow, type IncidentRow, type RecoverKey } from './incidents';
import type { SqliteDb } from './open';
import { fromOutcomeRow, OUTCOME_COLUMNS, type OutcomeRow, toOutcomeParams, toQueueEntry } from '../rows/outcomes';
import { countPairs, groupCounts, horizonsOf } from '../rows/windows';
import { type EventRow, fromEventRow } from '../rows/events';

/** Events per fold transaction: bounded so the write lock is never held for long; the next call goes on. */
export const FOLD_BATCH = 2_000;

export function createSqliteOutcomes(db: SqliteDb, deps: { writers: AggregateWriters; recoverKey: RecoverKey }): OutcomeStore {
  const stateGet = db.prepare<[string], { value: string }>('SELECT value FROM collector_state WHERE name = ?');
  const stateSet = db.prepare(
    'INSERT INTO collector_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  );
  const eventsAfter = db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?');
  const pair = db.prepare<[string, string], OutcomeRow>('SELECT * FROM handoff_outcomes WHERE handoff = ? AND key = ?');
  const byExecution = db.prepare<[string], OutcomeRow>(
    'SELECT * FROM handoff_outcomes WHERE last_execution_id = ? AND last_execution_id IS NOT NULL',
  );
  const save = db.prepare(`
    INSERT INTO handoff_outcomes (${OUTCOME_COLUMNS.join(', ')}) VALUES (${OUTCOME_COLUMNS.map(() => '?').join(', ')})
    ON CONFLICT (handoff, key) DO UPDATE SET ${OUTCOME_COLUMNS.slice(2)
      .map((c) => `${c} = excluded.${c}`)
      .join(', ')}`);
  const bumpBucket = db.prepare(`
    INSERT INTO outcome_buckets (resolution, bucket, handoff, seen, failed) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (resolution, bucket, handoff) DO UPDATE SET seen = seen + excluded.seen, failed = failed + excluded.failed`);
  const bumpWindow = db.prepare(`
    INSERT INTO outcome_windows (handoff, span, seen, failed) VALUES (?, ?, ?, ?)
    ON CONFLICT (handoff, span) DO UPDATE SET seen = seen + excluded.seen, failed = failed + excluded.failed`);
  const horizons = db.prepare<[], { span: string; horizon: number }>('SELECT span, horizon FROM window_horizons');
  // One statement for every filter: a NULL parameter means "any"; walks the partial queue index.
  const queue = db.prepare<Record<string, string | number | null>, OutcomeRow>(`
    SELECT * FROM handoff_outcomes INDEXED BY handoff_outcomes_queue
    WHERE failed_at IS NOT NULL AND completed_at IS NULL AND closed_at IS NULL
      AND (@handoff IS NULL OR handoff = @handoff)
      AND (@kind IS NULL OR last_failure_kind = @kind)
      AND (@keys IS NULL OR key IN (SELECT value FROM json_each(@keys)))
    ORDER BY failed_at, handoff, key LIMIT @limit`);
  const latestIncident = db.prepare<[string, string], IncidentRow>(`
    SELECT * FROM incidents WHERE handoff = ? AND idempotency_key = ? AND state <> 'resolved' ORDER BY id DESC LIMIT 1`);
  const completed = db.prepare<[number], OutcomeRow>(
    'SELECT * FROM handoff_outcomes WHERE completed_at IS NOT NULL ORDER BY completed_at DESC LIMIT ?',
  );

  /** Pairs seen and failed, into the buckets and the windows (rows/windows.ts decides which). */
  const countOutcomes = (counts: { handoff: string; at: number; seen: number; failed: number }[], now: number) => {
    if (counts.length === 0) return;
    const { buckets, windows } = groupCounts(countPairs(counts), horizonsOf(horizons.all()), now);
    for (const b of buckets) bumpBucket.run(b.resolution, b.bucket, b.handoff, b.count, b.failed);
    for (const w of windows) bumpWindow.run(w.handoff, w.span, w.count, w.failed);
  };

  const foldTx = db.transaction((now: number) => {
    const mark = Number(stateGet.get('outcome_fold')?.value ?? 0);
    const rows = eventsAfter.all(mark, FOLD_BATCH);
    if (rows.length === 0) return { events: 0, recovered: [] as Incident[], more: false };
    const events: OutcomeEvent[] = rows.map((r) => fromEventRow(r, 'text'));
    const pairs = new Map<string, PairOutcome>();
    for (const e of events) {
      if (!e.key || pairs.has(pairKey(e.handoff, e.key))) continue;
      const row = pair.get(e.handoff, e.key);
      if (row) pairs.set(pairKey(e.handoff, e.key), fromOutcomeRow(row));
    }
    const keysByExecution = new Map<string, { handoff: string; key: string }[]>();
    for (const id of failedExecutionIds(events)) {
      const found = byExecution.all(id).map(fromOutcomeRow);
      for (const p of found) pairs.set(pairKey(p.handoff, p.key), pairs.get(pairKey(p.handoff, p.key)) ?? p);
      keysByExecution.set(
        id,
        found.map((p) => ({ handoff: p.handoff, key: p.key })),
      );
    }
    const result = foldOutcomes(events, { pairs, keysByExecution });
    for (const p of result.pairs) save.run(toOutcomeParams(p));
    countOutcomes(result.counts, now);
    for (const o of result.observations) deps.writers.observe(o.metric, o.handoff, o.seconds);
    const recovered = result.recoveries.flatMap((r) => deps.recoverKey(r.handoff, r.key, recoveredResolution(r), now));
    stateSet.run('outcome_fold', String(rows[rows.length - 1].id));
    return { events: rows.length, recovered, more: rows.length === FOLD_BATCH };
  });

  return {
    async fold(now) {
      return foldTx.immediate(now);
    },
    async pair(handoff, key) {
      const row = pair.get(handoff, key);
      return row && fromOutcomeRow(row);
    },
    async queue(filter) {
      const rows = queue.all({
        handoff: filter.handoff ?? null,
        kind: filter.kind ?? null,
        keys: filter.keys ? JSON.stringify(filter.keys) : null,
        limit: filter.limit,
      });
      return rows.map((row) => {
        const p = fromOutcomeRow(row);
        const incident = latestIncident.get(p.handoff, p.key);
        return toQueueEntry(p, incident && toWire(fromRow(incident)));
      });
    },
    async recentlyCompleted(limit) {
      return completed.all(limit).map(fromOutcomeRow);
    },
  };
}
