/**
 * Handoff outcomes in the store, on SQLite and on Postgres: the fold turns the trace into pairs,
 * window counts and histograms; a completion after a failure resolves the incidents tied to the key
 * with a "recovered" alert; the exception queue lists what failed and has not completed.
 */
import type { IncidentReport } from '../../monitor/src/domain/incidents';
import type { MonitorStore } from '../../monitor/src/domain/store';
import { openTestStore, type OpenedStore } from '../support/open-store';
import { Client } from 'pg';
import { storeKinds } from '../support/stores';

const M = 60_000;
const T0 = Date.parse('2026-03-02T09:00:30Z');

const report = (key: string, over: Partial<IncidentReport> = {}): IncidentReport => ({
  handoff: 'kickoff',
  dedupKey: `kickoff:request_failed:${key}`,
  title: `Task board down for ${key}`,
  kind: 'request_failed',
  severity: 'high',
  owner: { name: 'Dana Ops', channel: '#delivery-ops' },
  ownerSource: 'handoff',
  slaMs: 48 * 60 * M,
  idempotencyKey: key,
  execution: { id: '501', workflowId: '101' },
  ...over,
});

const windowOf = async (store: MonitorStore, span = '1h') =>
  (await store.aggregates.snapshot()).outcomeWindows.find((w) => w.handoff === 'kickoff' && w.span === span);

describe.each(storeKinds)('handoff outcomes on %s', (kind) => {
  let s: OpenedStore;
  let store: MonitorStore;
  beforeEach(async () => {
    s = await openTestStore(kind);
    store = s.store;
    await store.aggregates.advance(T0);
  });
  afterEach(async () => {
    await s.close();
  });

  it('a routed failure counts as a failed sync, is queued, and recovers on completion: incident resolved, owner told once', async () => {
    await store.events.append([
      { handoff: 'kickoff', key: 'deal-1', kind: 'validated', at: T0, executionId: '500' },
      { handoff: 'kickoff', key: 'deal-2', kind: 'validated', at: T0, executionId: '501' },
    ]);
    await store.ledger.claim(
      { handoff: 'kickoff', leaseMs: 15 * M, executionId: '500', items: [{ key: 'deal-1' }, { key: 'deal-2' }] },
      T0,
    );
    await store.ledger.settle('complete', { handoff: 'kickoff', keys: ['deal-1'] }, T0 + 1000);
    const opened = await store.incidents.report(report('deal-2', { failedAt: T0 + 2000 }), T0 + 5000);
    await store.ledger.settle('release', { handoff: 'kickoff', keys: ['deal-2'], reason: 'task board down' }, T0 + 5000);
    expect((await store.outcomes.fold(T0 + 6000)).events).toBeGreaterThan(0);

    expect(await windowOf(store)).toMatchObject({ seen: 2, failed: 1 });
    const queue = await store.outcomes.queue({ limit: 10 });
    expect(queue).toEqual([
      expect.objectContaining({
        handoff: 'kickoff',
        key: 'deal-2',
        kind: 'request_failed',
        failedAt: T0 + 2000,
        incident: expect.objectContaining({ id: opened.incident.id }),
      }),
    ]);
    const detection = (await store.aggregates.snapshot()).histograms.find((h) => h.metric === 'time_to_detection');
    expect(detection).toMatchObject({ count: 1, sum: 3 });

    // The fix, then a replay claims again (attempt 2) and completes.
    await store.ledger.claim({ handoff: 'kickoff', leaseMs: 15 * M, executionId: '502', items: [{ key: 'deal-2' }] }, T0 + 60_000);
    await store.ledger.settle('complete', { handoff: 'kickoff', keys: ['deal-2'] }, T0 + 62_000);
    const folded = await store.outcomes.fold(T0 + 63_000);
    expect(folded.recovered).toEqual([
      expect.objectContaining({ id: opened.incident.id, state: 'resolved', resolution: 'recovered: completed at attempt 2' }),
    ]);

    expect(await store.outcomes.queue({ limit: 10 })).toEqual([]);
    expect(await store.incidents.get(opened.incident.id)).toMatchObject({
      state: 'resolved',
      resolution: 'recovered: completed at attempt 2',
    });
    const recovery = (await store.aggregates.snapshot()).histograms.find((h) => h.metric === 'time_to_recovery');
    expect(recovery).toMatchObject({ count: 1, sum: 60 });
    const alerts = await store.incidents.outbox.list({ incidentId: opened.incident.id });
    expect(alerts.map((a) => a.kind)).toEqual(['opened', 'recovered']);
    expect(await store.outcomes.pair('kickoff', 'deal-2')).toMatchObject({ attempt: 2, recoveredAt: T0 + 62_000, failures: 1 });
    // Folding again finds nothing new and changes nothing.
    expect((await store.outcomes.fold(T0 + 70_000)).events).toBe(0);
    expect((await store.incidents.outbox.list({ incidentId: opened.incident.id })).length).toBe(2);
    // The incident's own resolution is not counted again as a keyless recovery.
    await store.aggregates.foldResolvedIncidents();
    expect((await store.aggregates.snapshot()).histograms.find((h) => h.metric === 'time_to_recovery')?.count).toBe(1);
  });

  it('a failed n8n run fails the pairs that ran in it; the queue filters by kind and key', async () => {
    await store.events.append([
      { handoff: 'kickoff', key: 'deal-7', kind: 'validated', at: T0, executionId: '700' },
      { handoff: 'kickoff', key: 'deal-8', kind: 'invalid', at: T0 + 10, executionId: '701' },
    ]);
    await store.outcomes.fold(T0 + 100);
    await store.executions.upsert(
      [
        {
          id: '700',
          handoff: 'kickoff',
          workflowId: '101',
          status: 'error',
          mode: 'webhook',
          startedAt: T0,
          stoppedAt: T0 + 500,
          waitTill: null,
          retryOf: null,
          retrySuccessId: null,
        },
      ],
      T0 + 1000,
    );
    await store.outcomes.fold(T0 + 1100);
    expect((await store.outcomes.queue({ limit: 10 })).map((e) => [e.key, e.kind])).toEqual([
      ['deal-8', 'invalid'],
      ['deal-7', 'execution_failed'],
    ]);
    expect((await store.outcomes.queue({ kind: 'invalid', limit: 10 })).map((e) => e.key)).toEqual(['deal-8']);
    expect((await store.outcomes.queue({ keys: ['deal-7'], limit: 10 })).map((e) => e.key)).toEqual(['deal-7']);
    expect(await windowOf(store)).toMatchObject({ seen: 2, failed: 2 });
  });

  it('each queue entry carries its latest unresolved incident, whole, or none; the limit counts entries', async () => {
    // deal-5: reported under two dedup keys, which is one incident (one per deal): the entry carries it with the latest details.
    await store.incidents.report(report('deal-5', { dedupKey: 'kickoff:timeout:deal-5', failedAt: T0 }), T0 + 100);
    const later = await store.incidents.report(
      report('deal-5', { error: { message: 'Task board 503', httpCode: 503 }, context: { client: 'Acme', rows: [1, 2] }, failedAt: T0 }),
      T0 + 200,
    );
    // deal-6: failed through its n8n run, with no incident at all.
    await store.events.append([{ handoff: 'kickoff', key: 'deal-6', kind: 'validated', at: T0 + 300, executionId: '600' }]);
    await store.outcomes.fold(T0 + 400);
    await store.executions.upsert(
      [
        {
          id: '600',
          handoff: 'kickoff',
          workflowId: '101',
          status: 'error',
          mode: 'webhook',
          startedAt: T0 + 300,
          stoppedAt: T0 + 500,
          waitTill: null,
          retryOf: null,
          retrySuccessId: null,
        },
      ],
      T0 + 600,
    );
    await store.outcomes.fold(T0 + 700);

    const queue = await store.outcomes.queue({ limit: 10 });
    expect(queue.map((e) => e.key)).toEqual(['deal-5', 'deal-6']);
    expect(queue[0].incident).toEqual(await store.incidents.get(later.incident.id));
    expect(queue[0].incident).toMatchObject({
      error: { message: 'Task board 503', httpCode: 503 },
      context: { client: 'Acme', rows: [1, 2] },
    });
    expect('incident' in queue[1]).toBe(false);
    const first = await store.outcomes.queue({ limit: 1 });
    expect(first).toEqual([queue[0]]);
    expect(await store.outcomes.queue({ keys: ['deal-6'], limit: 1 })).toEqual([queue[1]]);
  });

  it('resolving the last incident by hand takes the pair off the queue and measures recovery once', async () => {
    const opened = await store.incidents.report(report('deal-3'), T0);
    await store.outcomes.fold(T0 + 1);
    expect((await store.outcomes.queue({ limit: 10 })).map((e) => e.key)).toEqual(['deal-3']);
    await store.incidents.transition(opened.incident.id, 'resolve', T0 + 30 * M);
    await store.outcomes.fold(T0 + 30 * M + 1);
    expect(await store.outcomes.queue({ limit: 10 })).toEqual([]);
    expect(await store.incidents.get(opened.incident.id)).toMatchObject({ resolution: 'resolved by hand' });
    expect((await store.aggregates.snapshot()).histograms.find((h) => h.metric === 'time_to_recovery')).toMatchObject({
      count: 1,
      sum: 1800,
    });
  });

  it('a backlog is folded in batches, each counted once; the pair windows roll like the run windows', async () => {
    await store.events.append(
      Array.from({ length: 50 }, (_, i) => ({ handoff: 'kickoff', key: `k${i}`, kind: i % 2 ? 'qa_failed' : 'validated', at: T0 + i })),
    );
    let total = 0;
    for (;;) {
      const r = await store.outcomes.fold(T0 + 1000);
      total += r.events;
      if (!r.more) break;
    }
    expect(total).toBe(50);
    expect(await windowOf(store)).toMatchObject({ seen: 50, failed: 25 });
    await store.aggregates.advance(T0 + 2 * 60 * M);
    // Two hours on, the 1h window no longer holds them; the 24h window still does.
    expect(await windowOf(store)).toBeUndefined();
    expect(await windowOf(store, '24h')).toMatchObject({ seen: 50, failed: 25 });
  });
});

describe('handoff outcomes on postgres, where ids are handed out before commit', () => {
  it('never skips an event whose transaction committed after a later id: the fold waits for it', async () => {
    const s = await openTestStore('postgres');
    const writer = new Client({ connectionString: s.db.location });
    await writer.connect();
    try {
      // An open transaction takes an id first and commits last (a claim batch still running).
      await writer.query('BEGIN');
      await writer.query("INSERT INTO events (handoff, key, kind, at) VALUES ('kickoff', 'slow', 'qa_failed', $1)", [T0]);
      await s.store.events.append([{ handoff: 'kickoff', key: 'fast', kind: 'validated', at: T0 + 1 }]);
      // The fold cannot know whether the lower id will commit: it gives up for now rather than skip it.
      expect(await s.store.outcomes.fold(T0 + 10)).toMatchObject({ events: 0, more: true });
      await writer.query('COMMIT');
      expect((await s.store.outcomes.fold(T0 + 20)).events).toBe(2);
      expect(await s.store.outcomes.pair('kickoff', 'slow')).toMatchObject({ failureKind: 'qa_failed' });
      expect(await s.store.outcomes.pair('kickoff', 'fast')).toMatchObject({ failedAt: null });
    } finally {
      await writer.end();
      await s.close();
    }
  });
});
