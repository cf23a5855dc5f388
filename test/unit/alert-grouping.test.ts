/**
 * The alert grouping decision (monitor/src/alerts/grouping.ts): which due alerts go now, alone or
 * together, and which wait until when. Table tests on plain rows; the worker only carries it out.
 */
import type { Incident } from '../../protocol/incidents';
import {
  alertGroupKey,
  digestIdempotencyKey,
  LOOKBACK_WINDOWS,
  planAlertDeliveries,
  type AlertPlanInput,
} from '../../monitor/src/alerts/grouping';
import type { AlertKind } from '../../monitor/src/domain/incidents';
import type { OutboxAlert } from '../../monitor/src/domain/incident-message';

const T = Date.parse('2026-02-02T09:00:00Z');
const W = 60_000;
const DANA = { name: 'Dana Ops', channel: '#delivery-ops' };

interface Spec {
  id: number;
  kind?: AlertKind;
  handoff?: string;
  incidentKind?: string;
  to?: { name: string; channel?: string };
  sentAt?: number;
}

const alert = (s: Spec): OutboxAlert => {
  const kind = s.kind ?? 'opened';
  const incident = {
    id: s.id,
    handoff: s.handoff ?? 'kickoff',
    kind: s.incidentKind ?? 'request_failed',
    title: 'Task board answered 503',
    severity: 'high',
    owner: DANA,
    idempotencyKey: `deal-${s.id}`,
  } as Incident;
  return {
    id: s.id,
    incidentId: s.id,
    kind,
    idempotencyKey: `incident-${s.id}-${kind}`,
    message: { kind, to: s.to ?? DANA, incident, at: new Date(T).toISOString() },
    attempts: 0,
    createdAt: T,
    state: s.sentAt === undefined ? 'pending' : 'sent',
    ...(s.sentAt === undefined ? {} : { sentAt: s.sentAt }),
  };
};

/** The plan as ids: messages, and holds as `until - now` offsets. */
const plan = (due: Spec[], sent: Spec[] = [], over: Partial<AlertPlanInput> = {}) => {
  const now = over.now ?? T;
  const p = planAlertDeliveries({
    due: due.map(alert),
    recentlySent: sent.map(alert),
    now,
    windowMs: W,
    maxMessages: 50,
    ...over,
  });
  return {
    send: p.send.map((m) => m.map((a) => a.id)),
    hold: p.hold.map((h) => ({ in: h.until - now, ids: h.alerts.map((a) => a.id) })),
  };
};

const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i }));

describe('planAlertDeliveries', () => {
  it.each([
    ['nothing due → nothing to do', [], [], { send: [], hold: [] }],
    ['a quiet group, one alert → it goes at once, alone', [{ id: 1 }], [], { send: [[1]], hold: [] }],
    [
      'a quiet group, ten alerts at once → the oldest at once, nine held one window',
      ids(1, 10),
      [],
      { send: [[1]], hold: [{ in: W, ids: [2, 3, 4, 5, 6, 7, 8, 9, 10] }] },
    ],
    [
      'the group was messaged 20 s ago → everything due waits for that window to end (40 s)',
      ids(2, 4),
      [{ id: 1, sentAt: T - 20_000 }],
      { send: [], hold: [{ in: 40_000, ids: [2, 3, 4] }] },
    ],
    [
      'the window has just ended → all that is due goes as one digest',
      ids(2, 10),
      [{ id: 1, sentAt: T - W }],
      { send: [[2, 3, 4, 5, 6, 7, 8, 9, 10]], hold: [] },
    ],
    [
      'the window ended a while ago (a late pass) but within the lookback → still one digest, not a new "first"',
      ids(2, 10),
      [{ id: 1, sentAt: T - LOOKBACK_WINDOWS * W + 1 }],
      { send: [[2, 3, 4, 5, 6, 7, 8, 9, 10]], hold: [] },
    ],
    [
      'past the lookback the group is quiet again → first alone, the rest held',
      ids(2, 4),
      [{ id: 1, sentAt: T - LOOKBACK_WINDOWS * W - 1 }],
      { send: [[2]], hold: [{ in: W, ids: [3, 4] }] },
    ],
    [
      'the latest message of the group counts (a digest after the first)',
      ids(12, 13),
      [
        { id: 1, sentAt: T - 70_000 },
        { id: 2, sentAt: T - 10_000 },
      ],
      { send: [], hold: [{ in: 50_000, ids: [12, 13] }] },
    ],
  ] as [string, Spec[], Spec[], ReturnType<typeof plan>][])('%s', (_name, due, sent, expected) => {
    expect(plan(due, sent)).toEqual(expected);
  });

  it.each([
    ['another alert kind', { kind: 'recovered' as AlertKind }],
    ['another handoff', { handoff: 'review' }],
    ['another incident kind', { incidentKind: 'invalid' }],
    ['another addressee', { to: { name: 'Sam Sales', channel: '#sales-ops' } }],
    ['the same person on another channel', { to: { name: 'Dana Ops', channel: '#elsewhere' } }],
  ])('%s is another group: a recent message of this one does not hold it', (_name, over) => {
    const p = plan([{ id: 2 }, { id: 3, ...over }], [{ id: 1, sentAt: T - 1_000 }]);
    expect(p).toEqual({ send: [[3]], hold: [{ in: W - 1_000, ids: [2] }] });
  });

  it('severity and error text do not split a group', () => {
    const a = alert({ id: 1 });
    const b = alert({ id: 2 });
    b.message.incident = { ...b.message.incident, severity: 'critical', title: 'Task board answered 502', error: { message: 'x' } };
    expect(alertGroupKey(a)).toBe(alertGroupKey(b));
  });

  it('sends each group once per pass, in the order their oldest alert fell due', () => {
    const due = [{ id: 5, handoff: 'b' }, { id: 6 }, { id: 7, handoff: 'b' }, { id: 8 }];
    expect(
      plan(due, [
        { id: 1, sentAt: T - W },
        { id: 2, handoff: 'b', sentAt: T - W },
      ]),
    ).toEqual({
      send: [
        [5, 7],
        [6, 8],
      ],
      hold: [],
    });
  });

  it('window 0 turns grouping off: every alert its own message, nothing held', () => {
    expect(plan(ids(1, 3), [{ id: 9, sentAt: T - 1 }], { windowMs: 0 })).toEqual({ send: [[1], [2], [3]], hold: [] });
  });

  it('past maxMessages the rest are released to the next pass (held until now)', () => {
    expect(plan(ids(1, 3), [], { windowMs: 0, maxMessages: 2 })).toEqual({ send: [[1], [2]], hold: [{ in: 0, ids: [3] }] });
    const groups = [{ id: 1 }, { id: 2, handoff: 'b' }, { id: 3, handoff: 'b' }, { id: 4, handoff: 'c' }];
    expect(plan(groups, [], { maxMessages: 2 })).toEqual({
      send: [[1], [2]],
      hold: [
        { in: 0, ids: [4] },
        { in: W, ids: [3] },
      ],
    });
  });
});

describe('digestIdempotencyKey', () => {
  it('is the same for the same rows in any order, and differs when a row joins', () => {
    const rows = [alert({ id: 3 }), alert({ id: 1 }), alert({ id: 2 })];
    expect(digestIdempotencyKey(rows)).toBe(digestIdempotencyKey([...rows].reverse()));
    expect(digestIdempotencyKey(rows)).toMatch(/^digest-opened-[0-9a-f]{16}$/);
    expect(digestIdempotencyKey([...rows, alert({ id: 4 })])).not.toBe(digestIdempotencyKey(rows));
  });
});
