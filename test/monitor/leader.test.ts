/**
 * One leader at a time (issue 18 item 3), in one process: on SQLite the monitor always leads; on
 * Postgres two replicas elect one through an advisory lock. Only the leader polls n8n and exports the
 * store-wide series (handoff_leader says which); a follower that queues an alert nudges the leader,
 * whose outbox sends it at once; when the leader stops, or its lock connection is cut, the other
 * takes over, and the two never lead at the same moment. The SIGKILL takeover across processes is
 * test/monitor/leader-takeover.test.ts.
 */
import { Client } from 'pg';
import type { RunningMonitor } from '../../monitor/src';
import type { AlertSender } from '../../monitor/src/alerts/sender';
import { startFakeN8n, type FakeN8n } from '../support/fake-n8n';
import { startTestMonitor, type MonitorDeps, type TestMonitor } from '../support/monitor';
import { createPostgresDatabase, type TestDatabase } from '../support/stores';
import { holdsFor, waitFor } from '../support/wait';
import { CONTRACT, TOKEN } from './collector-helpers';

jest.setTimeout(60_000);

const RETRY_MS = 100;

async function metrics(m: RunningMonitor): Promise<string> {
  const res = await fetch(`${m.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return res.text();
}
const families = (text: string) => [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]).sort();

describe('on SQLite', () => {
  it('the one process always leads, and exports every series', async () => {
    const m = await startTestMonitor();
    try {
      expect(m.monitor.leader.mode).toBe('single');
      expect(m.monitor.leader.isLeader()).toBe(true);
      const text = (await m.request('GET', '/metrics')).body as string;
      expect(text).toMatch(/^handoff_leader 1$/m);
      expect(families(text)).toEqual(
        expect.arrayContaining(['handoff_claims_total', 'handoff_executions_total', 'handoff_leader', 'handoff_collector_errors_total']),
      );
    } finally {
      await m.close();
    }
  });
});

describe('two replicas on Postgres', () => {
  let database: TestDatabase;
  const handles: TestMonitor[] = [];
  const n8ns: FakeN8n[] = [];
  const replicas: RunningMonitor[] = [];
  const delivered: { key: string; by: number; at: number }[] = [];

  /** Each replica gets its own fake n8n, so a test can see which one polls. */
  async function start(i: number, extra: Partial<MonitorDeps> = {}): Promise<RunningMonitor> {
    n8ns[i] ??= await startFakeN8n();
    const sender: AlertSender = async (alert) => void delivered.push({ key: alert.idempotencyKey, by: i, at: Date.now() });
    const m = await startTestMonitor({
      token: TOKEN,
      contract: CONTRACT,
      database,
      env: { HANDOFF_POLL_INTERVAL: '100ms' },
      deps: {
        n8n: { baseUrl: n8ns[i].url, apiKey: n8ns[i].apiKey },
        alertSender: sender,
        // No outbox pass at all (and no escalation): an alert queued on a follower reaches the
        // leader's sender only through a nudge, however fast or slow the machine.
        alertIntervalMs: 0,
        leaderRetryMs: RETRY_MS,
        metricsShareMs: 0,
        ...extra,
      },
    });
    handles.push(m);
    replicas[i] = m.monitor;
    return m.monitor;
  }

  beforeAll(async () => {
    database = await createPostgresDatabase();
  });
  afterAll(async () => {
    // A replica a test stopped already rejects a second close; its folder is removed all the same.
    await Promise.allSettled(handles.map((h) => h.close()));
    await Promise.allSettled(n8ns.map((n) => n.close()));
    await database?.drop();
  });

  it('the first to start leads and polls n8n; the second follows, polls nothing and exports no store-wide series', async () => {
    const a = await start(0);
    expect(a.leader).toMatchObject({ mode: 'postgres-lock' });
    expect(a.leader.isLeader()).toBe(true);
    const b = await start(1);
    expect(b.leader.isLeader()).toBe(false);
    await waitFor('the leader to poll its n8n', () => n8ns[0].requests.length > 2);
    await holdsFor('the follower to poll nothing for three poll intervals', () => n8ns[1].requests.length === 0, 300);
    expect(n8ns[1].requests).toEqual([]);

    expect(
      (
        await fetch(`${b.url}/api/v1/claims`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ handoff: 'kickoff', items: [{ key: 'deal-1' }, { key: 'deal-2' }] }),
        })
      ).status,
    ).toBe(200);
    const leaderText = await metrics(a);
    expect(leaderText).toMatch(/^handoff_leader 1$/m);
    expect(leaderText).toMatch(/^handoff_claims_total\{handoff="kickoff",decision="new"\} 2$/m);
    const followerText = await metrics(b);
    // Process-local series only: no claims, runs, rates, incidents, stalls or collector figures.
    expect(families(followerText).filter((f) => f.startsWith('handoff_') && f !== 'handoff_build_info')).toEqual(['handoff_leader']);
    expect(followerText).toMatch(/^handoff_leader 0$/m);
  });

  it('an alert queued on the follower is sent by the leader at once (a nudge), not on a pass of its outbox', async () => {
    const [a, b] = replicas;
    const t = Date.now();
    const res = await fetch(`${b.url}/api/v1/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ handoff: 'kickoff', dedupKey: 'taskboard-down', title: 'Task board returned 503' }),
    });
    expect(res.status).toBe(201);
    // The leader has no outbox pass to send it on: only the nudge can deliver it.
    const sent = await waitFor('the alert', () => delivered.find((d) => d.key.endsWith('-opened')), { timeoutMs: 30_000 });
    process.stdout.write(`nudge: the leader sent the follower's alert ${sent.at - t} ms after it was queued\n`);
    expect(sent.by).toBe(0); // the leader's sender
    expect(a.leader.isLeader()).toBe(true);
  });

  it('the leader stops: the follower takes over on its next try for the lock and starts polling; never two at once', async () => {
    const [a, b] = replicas;
    const both: number[] = [];
    const watch = setInterval(() => {
      if (a.leader.isLeader() && b.leader.isLeader()) both.push(Date.now());
    }, 2);
    // Every try for the leader lock from here on, and whether it won: once a has closed, only b tries.
    const tries: { afterStop: boolean; won: boolean }[] = [];
    let stopped = false;
    const query = Client.prototype.query as (...args: unknown[]) => unknown;
    const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const result = query.apply(this, args);
      if (typeof args[0] === 'string' && args[0].includes('pg_try_advisory_lock') && result instanceof Promise) {
        const afterStop = stopped;
        result.then((r: { rows: { ok: boolean }[] }) => tries.push({ afterStop, won: r.rows[0]?.ok === true })).catch(() => undefined);
      }
      return result as never;
    });
    try {
      const stoppedAt = Date.now();
      await a.close();
      stopped = true;
      const tookOver = await waitFor('replica b to lead', () => b.leader.isLeader() && Date.now(), { timeoutMs: 30_000 });
      clearInterval(watch);
      process.stdout.write(
        `leader stopped gracefully: the follower led ${tookOver - stoppedAt} ms later (retry interval ${RETRY_MS} ms)\n`,
      );
      // a let go of the lock before close() returned, so b's first try after that won: the takeover
      // takes one retry interval at most, not a wait for a's session to time out.
      expect(tries.filter((t) => t.afterStop)).toEqual([{ afterStop: true, won: true }]);
    } finally {
      spy.mockRestore();
    }
    expect(both).toEqual([]);
    const before = n8ns[1].requests.length;
    await waitFor('the new leader to poll its n8n', () => n8ns[1].requests.length > before + 2);
    expect(await metrics(b)).toMatch(/^handoff_leader 1$/m);
    // The old leader comes back as a follower.
    const again = await start(0);
    expect(again.leader.isLeader()).toBe(false);
  });

  it("the leader's lock connection is cut: it steps down, stops polling, and exactly one replica leads again", async () => {
    const [a, b] = replicas; // a: the restarted follower, b: the leader
    expect([a.leader.isLeader(), b.leader.isLeader()]).toEqual([false, true]);
    const both: number[] = [];
    const watch = setInterval(() => {
      if (a.leader.isLeader() && b.leader.isLeader()) both.push(Date.now());
    }, 2);
    const admin = new Client({ connectionString: database.location });
    await admin.connect();
    try {
      // The session holding the advisory lock "leader" (0x6c65 / 0x61646572 as classid / objid).
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_locks
         WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid = $2 AND objsubid = 1`,
        [0x6c65, 0x61646572],
      );
      expect(rows[0].n).toBe(1);
    } finally {
      await admin.end();
    }
    await waitFor('one replica to lead again', () => a.leader.isLeader() !== b.leader.isLeader());
    clearInterval(watch);
    expect(both).toEqual([]);
    const leader = a.leader.isLeader() ? 0 : 1;
    const follower = 1 - leader;
    // The leader polling on for a few rounds (100 ms apart): a poll the old leader had under way is over by then.
    const polled = n8ns[leader].requests.length;
    await waitFor('the leader to poll on', () => n8ns[leader].requests.length >= polled + 3);
    const quiet = n8ns[follower].requests.length;
    const busy = n8ns[leader].requests.length;
    await holdsFor('the follower to poll nothing', () => n8ns[follower].requests.length === quiet, 500);
    expect(n8ns[follower].requests.length).toBe(quiet);
    expect(n8ns[leader].requests.length).toBeGreaterThan(busy);
  });
});
