/** The monitor's incident decisions as tables: dedup, transitions, escalation once, owner routing. */
import { parseContract } from '../../monitor/src/contract/load';
import { decideEscalation, decideReport, decideTransition } from '../../monitor/src/incidents/decide';
import { IncidentReport } from '../../monitor/src/domain/incidents';
import { escalationTarget, exceptionSlaMs, resolveOwner } from '../../monitor/src/incidents/owner';

const T0 = 1_000_000;
const report: IncidentReport = {
  handoff: 'kickoff',
  dedupKey: 'k',
  title: 't',
  kind: 'request_failed',
  severity: 'medium',
  owner: { name: 'Dana' },
  ownerSource: 'handoff',
  slaMs: 60_000,
};
const opened = decideReport(undefined, report, T0).record;

describe('decideReport', () => {
  it('opens a new incident with the SLA clock started and an alert to the owner', () => {
    const outcome = decideReport(undefined, report, T0);
    expect(outcome).toMatchObject({ deduplicated: false, alert: { kind: 'opened', to: { name: 'Dana' } } });
    expect(outcome.record).toMatchObject({ state: 'open', count: 1, slaDueAt: T0 + 60_000, firstSeenAt: T0, lastSeenAt: T0 });
  });

  it.each([
    ['low', 'medium'],
    ['medium', 'medium'],
    ['critical', 'critical'],
  ] as const)('folds a repeat (severity %s) into the open incident without an alert → severity %s', (severity, expected) => {
    const outcome = decideReport(opened, { ...report, severity, owner: { name: 'Other' } }, T0 + 5);
    expect(outcome.alert).toBeUndefined();
    expect(outcome.record).toMatchObject({
      count: 2,
      severity: expected,
      lastSeenAt: T0 + 5,
      owner: { name: 'Dana' },
      slaDueAt: T0 + 60_000,
    });
  });

  it('opens a fresh incident when the one with that key is resolved', () => {
    const resolved = { ...opened, state: 'resolved' as const, resolvedAt: T0 + 1 };
    expect(decideReport(resolved, report, T0 + 2)).toMatchObject({ deduplicated: false, record: { count: 1 } });
  });
});

describe('decideTransition', () => {
  it.each([
    ['open', 'ack', 'acknowledged', true],
    ['acknowledged', 'ack', 'acknowledged', false],
    ['open', 'resolve', 'resolved', true],
    ['acknowledged', 'resolve', 'resolved', true],
    ['resolved', 'resolve', 'resolved', false],
  ] as const)('%s + %s → %s (changed: %s)', (state, action, next, changed) => {
    const outcome = decideTransition({ ...opened, state }, action, T0 + 9);
    expect(outcome).toMatchObject({ ok: true, changed, record: { state: next } });
  });

  it('refuses to acknowledge a resolved incident', () => {
    expect(decideTransition({ ...opened, state: 'resolved' }, 'ack', T0)).toMatchObject({ ok: false });
  });
});

describe('decideEscalation', () => {
  const oncall = { name: 'On-call' };
  it.each([
    ['before the SLA', {}, T0 + 59_999, false],
    ['at the SLA', {}, T0 + 60_000, true],
    ['acknowledged past the SLA', { state: 'acknowledged' as const }, T0 + 90_000, true],
    ['resolved past the SLA', { state: 'resolved' as const }, T0 + 90_000, false],
    ['already escalated', { escalatedAt: T0 + 60_000 }, T0 + 900_000, false],
  ])('%s → escalate: %s', (_name, patch, now, escalates) => {
    const outcome = decideEscalation({ ...opened, ...patch }, oncall, now);
    expect(Boolean(outcome)).toBe(escalates);
    if (outcome)
      expect(outcome).toMatchObject({ record: { escalatedAt: now, escalatedTo: oncall }, alert: { kind: 'escalated', to: oncall } });
  });
});

describe('owner and SLA from the contract', () => {
  const contract = parseContract(`
systems: { a: { name: A }, b: { name: B } }
handoffs:
  - id: h
    source: a
    targets: [b]
    owner: { name: Owner }
    escalation: { name: Oncall }
    exceptionSla: 3h
    routes:
      - { match: invalid, to: { name: Sales } }
      - { match: stalled, to: escalation }
      - { match: request_failed, to: owner }
  - id: catchall
    source: a
    targets: [b]
    owner: { name: Owner2 }
    routes: [{ match: "*", to: { name: Anyone } }]
`);
  const [h, catchall] = contract.handoffs;

  it.each([
    [h, 'invalid', undefined, 'Sales', 'route'],
    [h, 'INVALID', undefined, 'Sales', 'route'],
    [h, 'stalled', undefined, 'Oncall', 'route'],
    [h, 'request_failed', undefined, 'Owner', 'route'],
    [h, 'qa_failed', undefined, 'Owner', 'handoff'],
    [h, undefined, undefined, 'Owner', 'handoff'],
    [catchall, 'whatever', undefined, 'Anyone', 'route'],
    [h, 'invalid', { name: 'Override' }, 'Override', 'request'],
    [undefined, 'invalid', undefined, 'unassigned', 'unassigned'],
  ])('%#: kind %s → %s', (handoff, kind, override, name, source) => {
    expect(resolveOwner(handoff, kind, override)).toEqual({ owner: expect.objectContaining({ name }), source });
  });

  it('takes the SLA from the override, the handoff, or 48 hours', () => {
    expect(exceptionSlaMs(h, 60)).toBe(60_000);
    expect(exceptionSlaMs(h)).toBe(3 * 3_600_000);
    expect(exceptionSlaMs(undefined)).toBe(48 * 3_600_000);
  });

  it('escalates to the on-call, or back to the owner when there is none', () => {
    expect(escalationTarget(h, { name: 'x' })).toEqual({ name: 'Oncall' });
    expect(escalationTarget(catchall, { name: 'Owner2' })).toEqual({ name: 'Owner2' });
  });
});
