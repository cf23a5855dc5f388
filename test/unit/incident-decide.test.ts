/** The monitor's incident decisions as tables: dedup, transitions, escalation once, owner routing. */
import { parseContract } from '../../monitor/src/contract/load';
import { decideEscalation, decideReport, decideTransition, incidentToJoin } from '../../monitor/src/incidents/decide';
import type { IncidentRecord } from '../../monitor/src/incidents/record';
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

describe('incidentToJoin: one deal, one open incident', () => {
  // The kickoff's Router failure for deal-42, opened first; a stall of the same claim; another deal's; a keyless one.
  const at = (id: number, over: Partial<IncidentRecord>): IncidentRecord & { id: number } => ({ ...opened, id, ...over });
  const kickoff = at(1, { dedupKey: 'kickoff:request_failed:deal-42', idempotencyKey: 'deal-42', firstSeenAt: T0 });
  const stall = at(2, { dedupKey: 'stall:claim:kickoff:deal-42', idempotencyKey: 'deal-42', kind: 'stalled', firstSeenAt: T0 + 10 });
  const other = at(3, { dedupKey: 'kickoff:request_failed:deal-43', idempotencyKey: 'deal-43' });
  const keyless = at(4, { dedupKey: 'execution_failed:kickoff:101', idempotencyKey: null });
  const acked = at(5, { dedupKey: 'kickoff:request_failed:deal-44', idempotencyKey: 'deal-44', state: 'acknowledged' });
  const resolved = at(6, { dedupKey: 'kickoff:request_failed:deal-45', idempotencyKey: 'deal-45', state: 'resolved' });
  const elsewhere = at(7, { handoff: 'invoice', dedupKey: 'invoice:request_failed:deal-46', idempotencyKey: 'deal-46' });
  const all = [stall, kickoff, other, keyless, acked, resolved, elsewhere];
  const reconcile = (key?: string, dedupKey = `kickoff:reconcile_missing:${key}`) => ({
    handoff: 'kickoff',
    dedupKey,
    ...(key ? { idempotencyKey: key } : {}),
  });

  it.each([
    ['a repeat under its own dedup key joins it, whatever key it names', { ...reconcile('deal-99'), dedupKey: kickoff.dedupKey }, 1],
    ["another reporter's dedup key joins the deal's oldest open incident", reconcile('deal-42'), 1],
    ['…and a stall of that deal joins it too', reconcile('deal-42', 'stall:claim:kickoff:deal-42-again'), 1],
    ["a repeat under the stall's dedup key joins the stall (its own key first)", reconcile('deal-42', stall.dedupKey), 2],
    ['an acknowledged incident still takes reports', reconcile('deal-44'), 5],
    ['a resolved incident takes none: a new one opens', reconcile('deal-45'), undefined],
    ["another handoff's incident for the same key is not joined", { ...reconcile('deal-46'), handoff: 'kickoff' }, undefined],
    ['another deal opens its own', reconcile('deal-47'), undefined],
    ['a report without a key never joins another dedup key', reconcile(undefined, 'kickoff:reconcile_missing:deal-42'), undefined],
    ['a keyless report still joins its own dedup key', reconcile(undefined, keyless.dedupKey), 4],
  ])('%s', (_name, report, joins) => {
    expect(incidentToJoin(all, report)?.id).toBe(joins);
  });

  it('takes the oldest of several open incidents for one key (older rows from before the rule), then the lowest id', () => {
    expect(incidentToJoin([stall, kickoff], reconcile('deal-42'))?.id).toBe(1);
    const twin = at(0, { ...kickoff, id: 0, dedupKey: 'twin' });
    expect(incidentToJoin([kickoff, twin], reconcile('deal-42'))?.id).toBe(0);
    expect(incidentToJoin([], reconcile('deal-42'))).toBeUndefined();
  });
});

describe('decideReport: a report that joins under another dedup key', () => {
  const kickoff: IncidentRecord = {
    ...opened,
    dedupKey: 'kickoff:request_failed:deal-42',
    idempotencyKey: 'deal-42',
    severity: 'high',
    error: { message: 'Task board 503' },
    execution: { id: '501', workflowId: '101', workflowName: 'Kickoff' },
  };
  const nightly: IncidentReport = {
    ...report,
    dedupKey: 'kickoff:reconcile_missing:deal-42',
    kind: 'reconcile_missing',
    severity: 'medium',
    owner: { name: 'Someone Else' },
    idempotencyKey: 'deal-42',
    error: { message: 'Deal deal-42 has no project (nightly reconcile)' },
    context: { sample: { dealId: 'deal-42' } },
    execution: { id: '900', workflowId: '300', workflowName: 'Nightly reconcile' },
  };

  it('counts it without an alert, keeps owner, SLA, kind, title and the run, takes the latest error, lists the reporter', () => {
    const outcome = decideReport(kickoff, nightly, T0 + 50);
    expect(outcome.alert).toBeUndefined();
    expect(outcome.deduplicated).toBe(true);
    expect(outcome.record).toEqual({
      ...kickoff,
      count: 2,
      lastSeenAt: T0 + 50,
      error: nightly.error,
      context: nightly.context,
      alsoReported: [
        {
          dedupKey: 'kickoff:reconcile_missing:deal-42',
          kind: 'reconcile_missing',
          workflowName: 'Nightly reconcile',
          execution: nightly.execution,
          firstSeenAt: T0 + 50,
          lastSeenAt: T0 + 50,
          count: 1,
        },
      ],
    });
  });

  it('keeps the highest severity, counts the same reporter again in its entry, and a repeat under the own key lists nothing', () => {
    const once = decideReport(kickoff, { ...nightly, severity: 'critical' }, T0 + 50).record;
    expect(once.severity).toBe('critical');
    const twice = decideReport(
      once,
      { ...nightly, severity: 'low', execution: { id: '901', workflowName: 'Nightly reconcile' } },
      T0 + 90,
    ).record;
    expect(twice).toMatchObject({ count: 3, severity: 'critical', lastSeenAt: T0 + 90, execution: kickoff.execution });
    expect(twice.alsoReported).toEqual([
      expect.objectContaining({
        count: 2,
        firstSeenAt: T0 + 50,
        lastSeenAt: T0 + 90,
        execution: { id: '901', workflowName: 'Nightly reconcile' },
      }),
    ]);
    const retry = decideReport(twice, { ...report, dedupKey: kickoff.dedupKey, execution: { id: '502' } }, T0 + 95).record;
    expect(retry).toMatchObject({ count: 4, execution: { id: '502' } });
    expect(retry.alsoReported).toBe(twice.alsoReported);
  });

  it('lists at most INCIDENT_LIMITS.maxAlsoReported reporters, dropping the one seen least recently', () => {
    let record = kickoff;
    for (let i = 0; i < 21; i++) record = decideReport(record, { ...nightly, dedupKey: `other-${i}` }, T0 + i).record;
    expect(record.count).toBe(22);
    expect(record.alsoReported).toHaveLength(20);
    expect(record.alsoReported.map((a) => a.dedupKey)).not.toContain('other-0');
    expect(record.alsoReported[19].dedupKey).toBe('other-20');
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
