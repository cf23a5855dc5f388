/**
 * Retention (issue 18 item 4): completed keys, events, finished executions, resolved incidents, sent
 * alerts and settled handoff outcomes (completed pairs with their claims, pairs closed by hand with
 * their incidents) past their retention are purged in small batches until none is left, while
 * everything something still reads stays: events the outcome fold has not folded, the trace and the
 * outcome of a pair in the exception queue, pairs never settled, unfinished runs and runs awaiting
 * their completed claim, each handoff's latest success, unresolved incidents, incidents the
 * time-to-recovery fold has not passed or whose alert is still pending, pending and dead alerts. No
 * figure of /metrics changes (handoff_sla_breaches_total included). On both stores.
 * The figure (the longest claim stall while a million rows of each are purged) is bench/retention.ts.
 */
import { PURGE_TABLES, type MonitorStore } from '../../monitor/src/domain/store';
import { purgeExpired, type RetentionPolicy } from '../../monitor/src/retention/purge';
import type { IncidentReport } from '../../monitor/src/domain/incidents';
import type { ExecutionRecord } from '../../monitor/src/domain/store';
import { openTestStore, type OpenedStore } from '../support/open-store';
import { startTestMonitor, type TestMonitor } from '../support/monitor';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { openSqlite } from '../../monitor/src/store/sqlite/open';
import { createSqliteRetention } from '../../monitor/src/store/sqlite/retention';
import { storeKinds } from '../support/stores';
import { waitFor } from '../support/wait';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T12:00:00Z');
const OLD = NOW - 100 * DAY;
const RECENT = NOW - DAY;
const N = 250;
const BATCH = 50;
const POLICY: RetentionPolicy = {
  claimsMs: 30 * DAY,
  eventsMs: 30 * DAY,
  executionsMs: 30 * DAY,
  incidentsMs: 90 * DAY,
  alertsMs: 30 * DAY,
};
const PERSON = { name: 'Dana Ops', channel: '#ops' };

const incident = (dedupKey: string, extra: Partial<IncidentReport> = {}): IncidentReport => ({
  handoff: 'kickoff',
  dedupKey,
  title: `Incident ${dedupKey}`,
  kind: 'request_failed',
  severity: 'high',
  owner: PERSON,
  ownerSource: 'handoff',
  slaMs: 48 * 3_600_000,
  ...extra,
});

const run = (id: string, status: string, stoppedAt: number | null, extra: Partial<ExecutionRecord> = {}): ExecutionRecord => ({
  id,
  handoff: 'kickoff',
  workflowId: '101',
  status,
  mode: 'webhook',
  startedAt: (stoppedAt ?? OLD) - 1_000,
  stoppedAt,
  waitTill: null,
  retryOf: null,
  retrySuccessId: null,
  ...extra,
});

/** Every row of the five tables, as short labels, so the test can say exactly what stayed. */
/** The handoff outcomes seed() writes (contents() looks each one up). */
const SEEDED_PAIRS = [
  'c-0',
  'c-60d',
  'c-recent',
  'k-closed-60d',
  'k-closed-old',
  'k-closed-recent',
  'k-closed-then-completed',
  'k-reopened',
  'q-1',
  'v-0',
  'v-recent',
];

async function contents(store: MonitorStore) {
  const incidents = await store.incidents.list({ limit: 10_000 });
  const alerts = await store.incidents.outbox.list();
  const byIncident = new Map(incidents.map((i) => [i.id, i.dedupKey]));
  const events: string[] = [];
  for (const key of ['q-1', 'v-recent', 'u-1', 'c-recent', 'c-0', 'v-0']) {
    for (const e of await store.events.trace('kickoff', key)) events.push(`${e.kind}:${e.key}`);
  }
  const executions: string[] = [];
  for (const id of ['x-0', 'x-older-success', 'x-latest-success', 'x-running', 'x-pending', 'x-recent']) {
    if (await store.executions.get(id)) executions.push(id);
  }
  const pairs: string[] = [];
  for (const key of SEEDED_PAIRS) {
    if (await store.outcomes.pair('kickoff', key)) pairs.push(key);
  }
  return {
    pairs,
    incidents: incidents.map((i) => i.dedupKey).sort(),
    alerts: alerts.map((a) => `${byIncident.get(a.incidentId) ?? a.incidentId}:${a.kind}:${a.state}`).sort(),
    events: events.sort(),
    executions: executions.sort(),
  };
}

async function seed(store: MonitorStore) {
  // Claims: N completed long ago (each with its `completed` event), one completed lately, one still claimed.
  const keys = Array.from({ length: N }, (_, i) => `c-${i}`);
  await store.ledger.claim({ handoff: 'kickoff', leaseMs: 60_000, items: [...keys, 'c-open'].map((key) => ({ key })) }, OLD);
  await store.ledger.settle('complete', { handoff: 'kickoff', keys }, OLD);
  await store.ledger.claim({ handoff: 'kickoff', leaseMs: 60_000, items: [{ key: 'c-recent' }] }, RECENT);
  await store.ledger.settle('complete', { handoff: 'kickoff', keys: ['c-recent'] }, RECENT);
  // Completed 60 days ago: past the claims' retention (30d), within the incidents' (90d).
  await store.ledger.claim({ handoff: 'kickoff', leaseMs: 60_000, items: [{ key: 'c-60d' }] }, NOW - 60 * DAY);
  await store.ledger.settle('complete', { handoff: 'kickoff', keys: ['c-60d'] }, NOW - 60 * DAY);

  // Checkpoints: N old ones; a pair that failed and never completed (the exception queue); a recent one.
  await store.events.append(Array.from({ length: N }, (_, i) => ({ handoff: 'kickoff', key: `v-${i}`, kind: 'validated', at: OLD })));
  await store.events.append([
    { handoff: 'kickoff', key: 'q-1', kind: 'validated', at: OLD },
    { handoff: 'kickoff', key: 'q-1', kind: 'invalid', at: OLD + 1 },
    { handoff: 'kickoff', key: 'v-recent', kind: 'validated', at: RECENT },
  ]);

  // Executions: N canceled runs and an older success long ago; the latest success (also old); a run
  // still running; a success awaiting its completed claim; a recent run.
  await store.executions.upsert(
    Array.from({ length: N }, (_, i) => run(`x-${i}`, 'canceled', OLD)),
    OLD,
  );
  await store.executions.upsert(
    [
      run('x-older-success', 'success', OLD - 10_000),
      run('x-pending', 'success', OLD - 5_000, { expectOutcome: true }),
      run('x-latest-success', 'success', OLD),
      run('x-running', 'running', null),
    ],
    OLD,
  );
  await store.executions.upsert([run('x-recent', 'error', RECENT)], RECENT);

  // Incidents: N resolved long ago with their alerts sent; one escalated and one stall (SLA breaches),
  // both resolved; one resolved whose alert is still pending; one open with a dead alert; one open
  // whose alert was sent long ago.
  const ids = new Map<string, number>();
  const report = async (key: string, at: number, extra: Partial<IncidentReport> = {}) => {
    const r = await store.incidents.report(incident(key, extra), at);
    ids.set(key, r.incident.id);
    return r.incident.id;
  };
  for (let i = 0; i < N; i++) await report(`i-${i}`, OLD);
  await report('i-esc', OLD, { slaMs: 1_000 });
  await store.incidents.escalateDue(OLD + 5_000, () => ({ name: 'On-call' }));
  await report('i-stalled', OLD, { kind: 'stalled' });
  await report('i-pending-alert', OLD);
  await report('i-open', OLD);
  await report('i-open-sent', OLD);
  for (const a of await store.incidents.outbox.list()) {
    if (a.incidentId === ids.get('i-pending-alert')) continue;
    if (a.incidentId === ids.get('i-open')) await store.incidents.outbox.markDead(a.id, OLD + 2_000, 1, 'HTTP 400');
    else await store.incidents.outbox.markSent(a.id, OLD + 2_000, 1);
  }
  for (const key of [...Array.from({ length: N }, (_, i) => `i-${i}`), 'i-esc', 'i-stalled', 'i-pending-alert']) {
    await store.incidents.transition(ids.get(key)!, 'resolve', OLD + 6_000);
  }

  // Pairs closed by hand (their one incident resolved, never completed): one long ago, and one closed
  // long ago that failed again afterwards (back in the exception queue).
  const closeByHand = async (key: string, at: number) => {
    const id = await report(`p-${key}`, at, { idempotencyKey: key });
    await store.incidents.transition(id, 'resolve', at + 1_000);
  };
  await closeByHand('k-closed-old', OLD);
  await closeByHand('k-reopened', OLD);
  await store.events.append([{ handoff: 'kickoff', key: 'k-reopened', kind: 'request_failed', at: OLD + 2_000 }]);
  // Closed by hand long ago, completed lately: kept as long as its completion is.
  await closeByHand('k-closed-then-completed', OLD);
  await store.ledger.claim({ handoff: 'kickoff', leaseMs: 60_000, items: [{ key: 'k-closed-then-completed' }] }, RECENT);
  await store.ledger.settle('complete', { handoff: 'kickoff', keys: ['k-closed-then-completed'] }, RECENT);

  // Everything so far is folded (outcomes and times to recovery), with the windows at NOW so the recent
  // pairs count in them...
  await store.aggregates.advance(NOW);
  while ((await store.outcomes.fold(NOW)).more);
  while ((await store.aggregates.foldResolvedIncidents()) > 0);
  // Pairs closed by hand lately and 60 days ago (within the incidents' 90d), folded into the outcomes
  // (their incidents' times to recovery are not yet).
  await closeByHand('k-closed-recent', NOW - 10 * DAY);
  await closeByHand('k-closed-60d', NOW - 60 * DAY);
  while ((await store.outcomes.fold(NOW)).more);
  // ...but not what follows: an old checkpoint written after the fold, an incident resolved after it.
  await store.events.append([{ handoff: 'kickoff', key: 'u-1', kind: 'validated', at: OLD }]);
  const late = await report('i-late', OLD);
  await store.incidents.transition(late, 'resolve', OLD + 5 * DAY);
  // A recent resolved incident, and an open one with a recent sent alert.
  const recentResolved = await report('i-recent-resolved', NOW - 10 * DAY);
  await store.incidents.transition(recentResolved, 'resolve', NOW - 10 * DAY);
  await report('i-open-2', RECENT);
  for (const a of await store.incidents.outbox.list()) {
    if (a.state !== 'pending' || a.incidentId === ids.get('i-pending-alert')) continue;
    await store.incidents.outbox.markSent(a.id, a.incidentId === late ? OLD + 5 * DAY : RECENT, 1);
  }
}

describe.each(storeKinds)('retention purge on %s', (kind) => {
  let s: OpenedStore;
  beforeEach(async () => {
    s = await openTestStore(kind, { retentionMs: POLICY.claimsMs });
    await seed(s.store);
  }, 120_000);
  afterEach(() => s.close());

  it('deletes everything past retention in batches of at most the batch size, and keeps what is still read', async () => {
    const before = await s.store.aggregates.snapshot();
    expect((await contents(s.store)).pairs).toEqual(SEEDED_PAIRS);
    const report = await purgeExpired(s.store.retention, POLICY, NOW, { batch: BATCH, minBatch: BATCH, maxBatch: BATCH });

    // Batched: no batch larger than asked, as many batches as the rows need (plus the short last one).
    for (const table of PURGE_TABLES) {
      const t = report.tables[table];
      expect(t.largestBatch).toBeLessThanOrEqual(BATCH);
      expect(t.batches).toBe(Math.floor(t.deleted / BATCH) + 1);
    }
    expect(report.tables.claims.deleted).toBe(N + 1); // with c-60d
    expect(report.tables.events.deleted).toBeGreaterThanOrEqual(2 * N); // N checkpoints, N `completed`
    expect(report.tables.executions.deleted).toBe(N + 1); // the canceled runs and the older success
    expect(report.tables.incidents.deleted).toBe(N + 5); // with i-esc, i-stalled, and the three that closed k-… long ago
    expect(report.tables.alerts.deleted).toBe(2); // i-late's and i-open-sent's (the others went with their incidents)
    expect(report.tables.completedOutcomes.deleted).toBe(N + 1); // c-0… and c-60d: with their claims (30d)
    expect(report.tables.closedOutcomes.deleted).toBe(1); // k-closed-old; k-closed-60d stays with its incident (90d)
    expect(report.stopped).toBe(false);

    // Complete: a second purge finds nothing.
    expect((await purgeExpired(s.store.retention, POLICY, NOW, { batch: BATCH })).deleted).toBe(0);

    // Every figure of /metrics is as it was: the breaches counter (purged_sla_breaches), the times to
    // detection and recovery, the claim counters, the pairs seen and failed.
    const after = await s.store.aggregates.snapshot();
    expect(after).toEqual(before);
    expect(after.slaBreaches).toEqual([{ handoff: 'kickoff', count: 2 }]);
    expect(after.outcomeWindows.find((w) => w.span === '7d')).toMatchObject({ seen: 2 }); // v-recent, c-recent (k-closed-then-completed counts where it was first seen)
    expect(after.histograms.map((h) => h.metric)).toEqual(expect.arrayContaining(['time_to_detection', 'time_to_recovery']));

    // Kept: exactly what something still reads.
    const left = await contents(s.store);
    expect(left.events).toEqual(['completed:c-recent', 'invalid:q-1', 'validated:q-1', 'validated:u-1', 'validated:v-recent']);
    expect(left.executions).toEqual(['x-latest-success', 'x-pending', 'x-recent', 'x-running']);
    expect(left.incidents).toEqual([
      'i-late',
      'i-open',
      'i-open-2',
      'i-open-sent',
      'i-pending-alert',
      'i-recent-resolved',
      'p-k-closed-60d',
      'p-k-closed-recent',
    ]);
    expect(left.alerts).toEqual([
      'i-open-2:opened:sent',
      'i-open:opened:dead',
      'i-pending-alert:opened:pending',
      'i-recent-resolved:opened:sent',
      'p-k-closed-60d:opened:sent',
      'p-k-closed-recent:opened:sent',
    ]);
    // Handoff outcomes: the settled ones past their retention went; the queued (k-reopened closed long
    // ago but failed again, q-1), the recently settled and the never settled (v-…) stayed.
    expect(left.pairs).toEqual([
      'c-recent',
      'k-closed-60d',
      'k-closed-recent',
      'k-closed-then-completed',
      'k-reopened',
      'q-1',
      'v-0',
      'v-recent',
    ]);
    // Claims: the recent completion still answers duplicate; the old ones count as never seen.
    const claims = await s.store.ledger.claim(
      { handoff: 'kickoff', leaseMs: 60_000, items: [{ key: 'c-recent' }, { key: 'c-0' }, { key: 'c-open' }] },
      NOW,
    );
    expect(claims.map((c) => `${c.key}:${c.decision}`)).toEqual(['c-recent:duplicate', 'c-0:new', 'c-open:new']);

    // What the pages read is intact: the queue, the last success.
    expect((await s.store.outcomes.queue({ limit: 10 })).map((q) => q.key)).toEqual(['k-reopened', 'q-1']);
    expect(await s.store.dashboard.lastSuccess(['kickoff'])).toEqual([{ handoff: 'kickoff', at: OLD }]);
  });

  it('forgets a completed pair with its claim: a new run of the key counts, fails and queues as a pair of its own', async () => {
    await purgeExpired(s.store.retention, POLICY, NOW);
    const [claim] = await s.store.ledger.claim({ handoff: 'kickoff', leaseMs: 60_000, items: [{ key: 'c-0' }] }, NOW);
    expect(claim).toMatchObject({ decision: 'new', attempt: 1 });
    await s.store.events.append([{ handoff: 'kickoff', key: 'c-0', kind: 'request_failed', at: NOW }]);
    const before = (await s.store.aggregates.snapshot()).outcomeWindows.find((w) => w.span === '24h');
    while ((await s.store.outcomes.fold(NOW)).more);

    // Had the old completed row stayed, the fold would have taken this failure for a completed pair's:
    // never queued, never counted.
    expect(await s.store.outcomes.pair('kickoff', 'c-0')).toMatchObject({ firstSeenAt: NOW, failures: 1, completedAt: null });
    expect((await s.store.outcomes.queue({ limit: 10 })).map((q) => q.key)).toContain('c-0');
    const after = (await s.store.aggregates.snapshot()).outcomeWindows.find((w) => w.span === '24h');
    expect(after).toMatchObject({ seen: (before?.seen ?? 0) + 1, failed: (before?.failed ?? 0) + 1 });
  });

  it('picks up the unfolded rows once the folds have passed them', async () => {
    await purgeExpired(s.store.retention, POLICY, NOW);
    while ((await s.store.outcomes.fold(NOW)).more);
    while ((await s.store.aggregates.foldResolvedIncidents()) > 0);
    const report = await purgeExpired(s.store.retention, POLICY, NOW);
    expect(report.tables.events.deleted).toBe(1); // u-1
    expect(report.tables.incidents.deleted).toBe(1); // i-late
    expect((await contents(s.store)).incidents).not.toContain('i-late');
  });
});

describe('retention purge beside claims', () => {
  let m: TestMonitor;
  afterEach(() => m?.close());

  it('answers claims between batches while it runs (SQLite)', async () => {
    m = await startTestMonitor();
    const store = m.monitor.store;
    // 30,000 old checkpoints, folded: enough for many batches.
    for (let i = 0; i < 30; i++) {
      await store.events.append(
        Array.from({ length: 1_000 }, (_, j) => ({
          handoff: 'kickoff',
          key: `bulk-${i}-${j}`,
          kind: 'validated',
          at: Date.now() - 100 * DAY,
        })),
      );
    }
    await m.monitor.outcomes.flush();
    let purged = false;
    const purge = m.monitor.retention.purge().then((r) => {
      purged = true;
      return r;
    });
    const answered: boolean[] = [];
    for (let i = 0; !purged && i < 1_000; i++) {
      const res = await m.post('/api/v1/claims', { handoff: 'kickoff', items: [{ key: `live-${i}` }] });
      expect(res.status).toBe(200);
      answered.push(!purged);
    }
    const report = await purge;
    expect(report.tables.events.deleted).toBe(30_000);
    expect(report.tables.events.batches).toBeGreaterThan(5);
    // Claims were answered while the purge was still running, not after it.
    expect(answered.filter(Boolean).length).toBeGreaterThanOrEqual(2);
  });
});

describe('SQLite checkpoints during a purge', () => {
  it('are taken by a worker thread while batches run, and handed back to the connection after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handoff-retention-wal-'));
    const db = openSqlite(join(dir, 'monitor.db'));
    try {
      const retention = createSqliteRetention(db);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      db.prepare("INSERT INTO collector_state (name, value) VALUES ('outcome_fold', '1000000')").run();
      const insert = db.prepare("INSERT INTO events (handoff, key, kind, at) VALUES ('kickoff', ?, 'validated', ?)");
      db.transaction(() => {
        for (let i = 0; i < 5_000; i++) insert.run(`k-${i}`, OLD + i);
      })();
      const report = await purgeExpired(retention, POLICY, NOW);
      expect(report.tables.events.deleted).toBe(5_000);
      // The connection does not checkpoint on the event loop while the worker does it.
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      await waitFor(
        'the worker to hand checkpoints back to the connection',
        () => db.pragma('wal_autocheckpoint', { simple: true }) === 1000,
        { timeoutMs: 10_000, intervalMs: 50 },
      );
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      // Nothing was lost on the way.
      expect((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(0);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
