/**
 * Two monitor replicas on one Postgres database (docs/architecture.md "Scale"): claims stay atomic across
 * them, a retry storm is one incident, an alert is sent once and an incident escalated once,
 * whichever replica each request reaches. Both replicas start at once on an empty database, so
 * their migrations race too.
 */
import type { RunningMonitor } from '../../monitor/src';
import type { AlertSender } from '../../monitor/src/alerts/sender';
import { CONTRACT, report, T0, TOKEN } from './incidents-helpers';
import { startTestMonitor, type TestMonitor } from '../support/monitor';
import { createPostgresDatabase, type TestDatabase } from '../support/stores';

jest.setTimeout(60_000);

let database: TestDatabase;
let handles: TestMonitor[] = [];
let replicas: RunningMonitor[] = [];
const clock = { now: T0 };
const delivered: string[] = [];
// A webhook the test can hold, so that both replicas' outbox passes are in flight at once.
let held: Promise<void> = Promise.resolve();
let release = () => {};
const hold = () => {
  held = new Promise((resolve) => (release = resolve));
};
const sender: AlertSender = async (alert) => {
  await held;
  delivered.push(alert.idempotencyKey);
};

beforeAll(async () => {
  database = await createPostgresDatabase();
  const start = () =>
    startTestMonitor({
      token: TOKEN,
      contract: CONTRACT,
      database,
      deps: { now: () => clock.now, alertIntervalMs: 0, alertSender: sender },
    });
  const started = await Promise.allSettled([start(), start()]);
  handles = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  replicas = handles.map((h) => h.monitor);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
});

afterAll(async () => {
  await Promise.allSettled(handles.map((h) => h.close()));
  await database?.drop();
});

async function post(replica: RunningMonitor, path: string, body: unknown) {
  const res = await fetch(`${replica.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('two monitor replicas on one Postgres database', () => {
  it('both started on an empty database (their migrations raced) and share one store', () => {
    expect(replicas).toHaveLength(2);
    expect(replicas.map((r) => r.store.kind)).toEqual(['postgres', 'postgres']);
    expect(replicas[0].url).not.toBe(replicas[1].url);
  });

  it('60 concurrent claims of one key spread over both → exactly one new, 59 in_progress', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        post(replicas[i % 2], '/api/v1/claims', { handoff: 'kickoff', execution: { id: `e${i}` }, items: [{ key: 'deal-42' }] }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(60).fill(200));
    const decisions = answers.map((a) => a.body.results[0].decision as string);
    expect(decisions.filter((d) => d === 'new')).toHaveLength(1);
    expect(decisions.filter((d) => d === 'in_progress')).toHaveLength(59);
    const counters = await replicas[1].store.ledger.claimCounters();
    expect(counters.filter((c) => c.handoff === 'kickoff').sort((a, b) => a.decision.localeCompare(b.decision))).toEqual([
      { handoff: 'kickoff', decision: 'in_progress', count: 59 },
      { handoff: 'kickoff', decision: 'new', count: 1 },
    ]);
    const winner = decisions.indexOf('new');
    process.stdout.write(
      `two replicas: 60 concurrent claims → ${decisions.filter((d) => d === 'new').length} new (via replica ${winner % 2}), ${decisions.filter((d) => d === 'in_progress').length} in_progress\n`,
    );
  });

  it('overlapping 500-key batches in opposite orders on both replicas: every key new exactly once, no batch lost', async () => {
    const keys = Array.from({ length: 500 }, (_, i) => `batch-${i}`);
    const orders = [keys, [...keys].reverse(), keys.filter((_, i) => i % 2 === 1), [...keys].reverse().filter((_, i) => i % 3 === 0)];
    const answers = await Promise.all(
      orders.flatMap((order, i) => [
        post(replicas[i % 2], '/api/v1/claims', { handoff: 'kickoff', items: order.map((key) => ({ key })) }),
        post(replicas[(i + 1) % 2], '/api/v1/claims', { handoff: 'kickoff', items: order.map((key) => ({ key })) }),
      ]),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    const news = answers.flatMap((a) =>
      a.body.results.filter((r: { decision: string }) => r.decision === 'new').map((r: { key: string }) => r.key),
    );
    expect(news.sort()).toEqual([...keys].sort());
  });

  it('a completed key is a duplicate on the other replica; a released one is new again there', async () => {
    await post(replicas[0], '/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'c' }, { key: 'r' }] });
    await post(replicas[0], '/api/v1/claims/complete', { handoff: 'kickoff', keys: ['c'] });
    await post(replicas[1], '/api/v1/claims/release', { handoff: 'kickoff', keys: ['r'] });
    const res = await post(replicas[1], '/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'c' }, { key: 'r' }] });
    expect(res.body.results.map((r: { decision: string; attempt: number }) => `${r.decision}/${r.attempt}`)).toEqual([
      'duplicate/1',
      'new/2',
    ]);
  });

  it('a storm of 40 failures over both replicas → one incident, one alert sent once by two flushing outboxes', async () => {
    hold();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => post(replicas[i % 2], '/api/v1/incidents', report())));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(39);
    const ids = new Set(answers.map((a) => a.body.incident.id));
    expect(ids.size).toBe(1);
    const [incident] = await replicas[0].store.incidents.list({ handoff: 'kickoff', limit: 10 });
    expect(incident).toMatchObject({ count: 40, state: 'open' });

    // The replica that opened it kicked its outbox and is stuck in the webhook; both flushing now
    // must not send the alert a second time.
    const flushes = Promise.all([replicas[0].alerts.flush(), replicas[1].alerts.flush()]);
    await new Promise((r) => setTimeout(r, 200));
    release();
    await flushes;
    await Promise.all([replicas[0].alerts.flush(), replicas[1].alerts.flush()]);
    expect(delivered).toEqual([`incident-${incident.id}-opened`]);
    expect(await replicas[1].store.incidents.outbox.list()).toMatchObject([{ state: 'sent', attempts: 1 }]);
    process.stdout.write(
      `two replicas: 40 reports → ${ids.size} incident (count ${incident.count}), ${delivered.length} alert delivered\n`,
    );
  });

  it('both replicas sweeping past the SLA escalate the incident once, and its alert goes out once', async () => {
    clock.now = T0 + 3 * 3_600_000; // the kickoff handoff's exception SLA is 2h
    const [a, b] = await Promise.all([replicas[0].alerts.escalate(), replicas[1].alerts.escalate()]);
    expect(a.length + b.length).toBe(1);
    await Promise.all([replicas[0].alerts.flush(), replicas[1].alerts.flush()]);
    expect(delivered.filter((k) => k.endsWith('-escalated'))).toHaveLength(1);
    expect(await replicas[0].alerts.escalate()).toEqual([]);
  });
});
