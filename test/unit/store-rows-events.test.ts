/** The events row mapping both stores share (monitor/src/store/rows/events.ts). */
import { type EventRow, fromEventRow } from '../../monitor/src/store/rows/events';

const T0 = Date.parse('2026-11-30T09:00:00Z');
const details = { status: 'error', rows: [1, { nested: true }] };
const row: EventRow = { id: 41, handoff: 'kickoff', key: 'deal-42', kind: 'execution_failed', at: T0, execution_id: '501', details: null };

describe('fromEventRow', () => {
  it('reads the details as JSON text (SQLite) or as the parsed value (Postgres), to the same event', () => {
    const event = { id: 41, handoff: 'kickoff', key: 'deal-42', kind: 'execution_failed', at: T0, executionId: '501', details };
    expect(fromEventRow({ ...row, details: JSON.stringify(details) }, 'text')).toEqual(event);
    expect(fromEventRow({ ...row, details }, 'parsed')).toEqual(event);
  });

  it('leaves out what the event was appended without: key, execution and details', () => {
    const bare = { ...row, key: null, execution_id: null, details: null };
    for (const json of ['text', 'parsed'] as const) {
      const event = fromEventRow(bare, json);
      expect(event).toEqual({
        id: 41,
        handoff: 'kickoff',
        kind: 'execution_failed',
        at: T0,
        key: undefined,
        executionId: undefined,
        details: undefined,
      });
      expect(event.key ?? event.executionId ?? event.details).toBeUndefined();
    }
  });
});
