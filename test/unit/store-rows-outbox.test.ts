/** The alert_outbox row mapping both stores share (monitor/src/store/rows/outbox.ts). */
import type { AlertMessage } from '../../monitor/src/domain/incident-message';
import { fromOutboxRow, type OutboxRow } from '../../monitor/src/store/rows/outbox';

const T0 = Date.parse('2026-11-30T09:00:00Z');
const message = {
  kind: 'opened',
  to: { name: 'Dana Ops', channel: '#delivery-ops' },
  at: new Date(T0).toISOString(),
} as unknown as AlertMessage;
const row: OutboxRow = {
  id: 3,
  incident_id: 7,
  kind: 'opened',
  idempotency_key: 'incident-7-opened',
  message,
  state: 'pending',
  attempts: 0,
  created_at: T0,
  next_attempt_at: T0,
  sent_at: null,
  last_error: null,
};

describe('fromOutboxRow', () => {
  it('reads the message as JSON text (SQLite) or as the parsed value (Postgres), to the same alert', () => {
    const alert = {
      id: 3,
      incidentId: 7,
      kind: 'opened',
      idempotencyKey: 'incident-7-opened',
      message,
      attempts: 0,
      createdAt: T0,
      state: 'pending',
    };
    expect(fromOutboxRow({ ...row, message: JSON.stringify(message) }, 'text')).toEqual(alert);
    expect(fromOutboxRow(row, 'parsed')).toEqual(alert);
  });

  it('says when it was sent, when it died (its last next_attempt_at) and the last error, only when there is one', () => {
    expect(fromOutboxRow({ ...row, state: 'sent', sent_at: T0 + 5, attempts: 2, last_error: null }, 'parsed')).toMatchObject({
      sentAt: T0 + 5,
      attempts: 2,
    });
    const dead = fromOutboxRow({ ...row, state: 'dead', next_attempt_at: T0 + 9, attempts: 4, last_error: 'HTTP 410' }, 'parsed');
    expect(dead).toMatchObject({ state: 'dead', deadAt: T0 + 9, lastError: 'HTTP 410' });
    expect('sentAt' in dead).toBe(false);
    const retrying = fromOutboxRow({ ...row, next_attempt_at: T0 + 9, last_error: 'timeout' }, 'parsed');
    expect('deadAt' in retrying).toBe(false);
    expect(retrying.lastError).toBe('timeout');
  });
});
