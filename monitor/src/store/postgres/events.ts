/** Handoff checkpoints on Postgres: appended with one statement per request, read back as a trace. */
import type { Pool, PoolClient } from 'pg';
import type { EventStore, HandoffEvent } from '../../domain/store';
import { run, type Statement } from './pool';
import { type EventRow, fromEventRow } from '../rows/events';

// The whole batch travels as one JSON array; WITH ORDINALITY keeps ids in request order.
const INSERT: Statement = {
  name: 'handoff-events-insert',
  text: `INSERT INTO events (handoff, key, kind, at, execution_id, details)
         SELECT e.handoff, e.key, e.kind, e.at, e.execution_id, e.details
         FROM json_populate_recordset(NULL::events, $1::json) WITH ORDINALITY AS e
         ORDER BY e.ordinality`,
};
const BY_KEY: Statement = {
  name: 'handoff-events-by-key',
  text: 'SELECT * FROM events WHERE handoff = $1 AND key = $2 ORDER BY at, id LIMIT $3',
};

/** Used by the ledger too, inside its own transactions, so a claim and its trace commit together. */
export async function insertEvents(client: Pool | PoolClient, events: HandoffEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const rows = events.map((e) => ({
    handoff: e.handoff,
    key: e.key ?? null,
    kind: e.kind,
    at: e.at,
    execution_id: e.executionId ?? null,
    details: e.details ?? null,
  }));
  return (await run(client, INSERT, [JSON.stringify(rows)])).rowCount ?? 0;
}

export function createPostgresEvents(pool: Pool): EventStore {
  return {
    async append(events) {
      // One statement is atomic on its own: the batch is stored whole or not at all.
      await insertEvents(pool, events);
      return events.length;
    },
    async trace(handoff, key, limit = 500) {
      const { rows } = await run<EventRow>(pool, BY_KEY, [handoff, key, limit]);
      return rows.map((r) => fromEventRow(r, 'parsed'));
    },
  };
}
