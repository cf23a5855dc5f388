/** The outcome fold (monitor/src/outcomes/decide.ts): what fails a pair, when it was detected, when it recovered. */
import { foldOutcomes, type OutcomeEvent, pairKey } from '../../monitor/src/outcomes/decide';
import { type PairOutcome } from '../../monitor/src/domain/outcomes';

const T0 = Date.parse('2026-11-30T09:00:00Z');
let id = 0;
const ev = (kind: string, atSec: number, extra: Partial<OutcomeEvent> = {}): OutcomeEvent => ({
  id: ++id,
  handoff: 'kickoff',
  key: 'deal-42',
  kind,
  at: T0 + atSec * 1000,
  ...extra,
});
const fold = (events: OutcomeEvent[], pairs: PairOutcome[] = [], byExec: [string, { handoff: string; key: string }[]][] = []) =>
  foldOutcomes(events, { pairs: new Map(pairs.map((p) => [pairKey(p.handoff, p.key), p])), keysByExecution: new Map(byExec) });

describe('foldOutcomes', () => {
  it('counts a pair once as seen, and as failed when a failure checkpoint names it', () => {
    const r = fold([ev('validated', 0), ev('request_failed', 5), ev('request_failed', 9)]);
    expect(r.counts).toEqual([
      { handoff: 'kickoff', at: T0, seen: 1, failed: 0 },
      { handoff: 'kickoff', at: T0, seen: 0, failed: 1 },
    ]);
    expect(r.pairs[0]).toMatchObject({ failedAt: T0 + 5000, failureKind: 'request_failed', failures: 2, lastFailureAt: T0 + 9000 });
  });

  it('a run that routed the failure to an incident is a failure (n8n says success), detected when the incident opened', () => {
    const r = fold([
      ev('validated', 0),
      ev('incident_opened', 12, { details: { incidentId: 1, kind: 'request_failed', failedAt: new Date(T0 + 2000).toISOString() } }),
    ]);
    expect(r.pairs[0]).toMatchObject({ failedAt: T0 + 2000, detectedAt: T0 + 12_000, incidentId: 1 });
    expect(r.observations).toEqual([{ metric: 'time_to_detection', handoff: 'kickoff', seconds: 10 }]);
  });

  it('completing after failing recovers the pair once: time to recovery from the first failure, incidents to resolve', () => {
    const first = fold([ev('incident_opened', 10, { details: { incidentId: 1, kind: 'request_failed' } })]);
    const r = fold([ev('completed', 70, { details: { attempt: 2 } }), ev('completed', 80, { details: { attempt: 3 } })], first.pairs);
    expect(r.observations).toEqual([{ metric: 'time_to_recovery', handoff: 'kickoff', seconds: 60 }]);
    expect(r.recoveries).toEqual([{ handoff: 'kickoff', key: 'deal-42', attempt: 2, at: T0 + 70_000 }]);
    expect(r.pairs[0]).toMatchObject({ completedAt: T0 + 70_000, recoveredAt: T0 + 70_000, attempt: 2 });
    expect(r.counts).toEqual([]);
  });

  it('a pair that never failed completes without a recovery', () => {
    const r = fold([ev('validated', 0), ev('completed', 1, { details: { attempt: 1 } })]);
    expect(r.recoveries).toEqual([]);
    expect(r.observations).toEqual([]);
  });

  it('a failed execution fails every pair that ran in it, including ones named earlier in the same batch', () => {
    const r = fold(
      [
        ev('validated', 0, { executionId: '7' }),
        ev('execution_failed', 3, { key: undefined, executionId: '7' }),
        ev('execution_failed', 4, { key: undefined, executionId: '8', handoff: 'kickoff' }),
      ],
      [],
      [['8', [{ handoff: 'kickoff', key: 'deal-9' }]]],
    );
    const byKey = new Map(r.pairs.map((p) => [p.key, p]));
    expect(byKey.get('deal-42')).toMatchObject({ failureKind: 'execution_failed', failedAt: T0 + 3000 });
    expect(byKey.get('deal-9')).toMatchObject({ failureKind: 'execution_failed' });
  });

  it('a reconcile miss is failed (and seen) at the source record time, so detection runs from the deal close', () => {
    const closed = new Date(T0 - 3_600_000).toISOString();
    const r = fold([
      ev('reconcile_missing', 0, { details: { failedAt: closed } }),
      ev('incident_opened', 1, { details: { incidentId: 3, kind: 'reconcile_missing', failedAt: closed } }),
    ]);
    expect(r.pairs[0]).toMatchObject({ firstSeenAt: T0 - 3_600_000, failedAt: T0 - 3_600_000 });
    expect(r.observations).toEqual([{ metric: 'time_to_detection', handoff: 'kickoff', seconds: 3601 }]);
  });

  it('a lease expiry fails the pair at the expiry, not when the next claim noticed it', () => {
    const r = fold([ev('lease_expired', 600, { details: { leaseExpiresAt: new Date(T0 + 900_000 - 600_000).toISOString() } })]);
    expect(r.pairs[0].failedAt).toBe(T0 + 300_000);
  });

  it('a failure time from the future is clamped to the event time', () => {
    const r = fold([ev('qa_failed', 5, { details: { failedAt: new Date(T0 + 60_000).toISOString() } })]);
    expect(r.pairs[0].failedAt).toBe(T0 + 5000);
  });

  it('resolving the last incident by hand closes the pair and measures recovery; with another open one it does not', () => {
    const failed = fold([ev('incident_opened', 0, { details: { incidentId: 1 } })]).pairs;
    expect(fold([ev('incident_resolved', 100, { details: { incidentId: 1, openIncidents: 1 } })], failed).pairs[0].closedAt).toBeNull();
    const r = fold([ev('incident_resolved', 100, { details: { incidentId: 1, openIncidents: 0 } })], failed);
    expect(r.pairs[0].closedAt).toBe(T0 + 100_000);
    expect(r.observations).toEqual([{ metric: 'time_to_recovery', handoff: 'kickoff', seconds: 100 }]);
    // A completion later still resolves what is open, but recovery is not measured twice.
    const later = fold([ev('completed', 200, { details: { attempt: 2 } })], r.pairs);
    expect(later.observations).toEqual([]);
    expect(later.recoveries).toHaveLength(1);
  });

  it('a repeated incident (a replay that failed again) moves the last failure without a second detection', () => {
    const failed = fold([ev('incident_opened', 0, { details: { incidentId: 1, kind: 'request_failed' } })]).pairs;
    const r = fold([ev('replayed', 50), ev('incident_repeated', 60, { details: { incidentId: 1, kind: 'request_failed' } })], failed);
    expect(r.pairs[0]).toMatchObject({ replays: 1, lastReplayAt: T0 + 50_000, lastFailureAt: T0 + 60_000, failures: 2, failedAt: T0 });
    expect(r.observations).toEqual([]);
  });
});
