/** Handoff checkpoints on SQLite: appended in one transaction per request, read back as a trace. */
import type { EventStore, HandoffEvent } from '../../domain/store';
import type { SqliteDb } from './open';
import { type EventRow, fromEventRow } from '../rows/events';

export function createSqliteEvents(db: SqliteDb): EventStore {
  const insert = db.prepare('INSERT INTO events (handoff, key, kind, at, execution_id, details) VALUES (?, ?, ?, ?, ?, ?)');
  const byKey = db.prepare<[string, string, number], EventRow>(
    'SELECT * FROM events WHERE handoff = ? AND key = ? ORDER BY at, id LIMIT ?',
  );
  const appendTx = db.transaction((events: HandoffEvent[]) => {
    for (const e of events) {
      insert.run(e.handoff, e.key ?? null, e.kind, e.at, e.executionId ?? null, e.details ? JSON.stringify(e.details) : null);
    }
    return events.length;
  });
  return {
    async append(events) {
      return appendTx.immediate(events);
    },
    async trace(handoff, key, limit = 500) {
      return byKey.all(handoff, key, limit).map((r) => fromEventRow(r, 'text'));
    },
  };
}
