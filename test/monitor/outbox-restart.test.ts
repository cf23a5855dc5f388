/**
 * The outbox survives `kill -9` between enqueue and send: a real `handoff-monitor serve` process
 * records an incident while the chat sink is down, is killed without warning, and a new process on
 * the same SQLite file delivers the alert exactly once.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { REPO as ROOT, serveCli, type ServingMonitor } from '../support/cli';
import { holdsFor, waitFor } from '../support/wait';
import { CONTRACT, report, Sink, startSink, TOKEN } from './incidents-helpers';

jest.setTimeout(60_000);

describe('alert outbox across kill -9', () => {
  let dir: string;
  let sink: Sink;
  const children: ServingMonitor[] = [];

  beforeAll(() => {
    // The CLI runs the compiled monitor; build it (type errors elsewhere must not block the emit).
    spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'monitor/tsconfig.json'], {
      cwd: ROOT,
      stdio: 'ignore',
    });
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'handoff-outbox-'));
    writeFileSync(join(dir, 'handoffs.yaml'), CONTRACT);
    sink = await startSink();
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop('SIGKILL')));
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the alert once after the monitor is killed with the alert still pending', async () => {
    const env = {
      HANDOFF_MONITOR_TOKEN: TOKEN,
      HANDOFF_MONITOR_PORT: '0',
      HANDOFF_MONITOR_DB: join(dir, 'monitor.db'),
      HANDOFF_CONTRACTS: join(dir, 'handoffs.yaml'),
      HANDOFF_ALERT_WEBHOOK_URL: sink.url,
      HANDOFF_POLL_INTERVAL: '200ms',
      HANDOFF_LOG_LEVEL: 'info',
    };
    // The chat is down: every delivery attempt of the first process fails.
    sink.fallback = 503;
    const first = await serveCli(env);
    children.push(first);
    const created = await fetch(`${first.url}/api/v1/incidents`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(report()),
    });
    expect(created.status).toBe(201);
    await waitFor('a first (failing) delivery attempt', () => sink.requests.length >= 1, { timeoutMs: 10_000 });

    await first.stop('SIGKILL');
    const db = new Database(env.HANDOFF_MONITOR_DB, { readonly: true });
    const before = db.prepare('SELECT state, attempts FROM alert_outbox').all();
    db.close();
    expect(before).toEqual([expect.objectContaining({ state: 'pending' })]);
    const failedAttempts = sink.requests.length;

    // The chat is back; a new process on the same file resumes the outbox.
    sink.fallback = 200;
    const second = await serveCli(env);
    children.push(second);
    await waitFor('the delivery after restart', () => sink.requests.some((r) => r.status === 200), { timeoutMs: 15_000 });
    // Several ticks: nothing else may arrive.
    await holdsFor('no delivery after the one that succeeded', () => sink.requests.length === failedAttempts + 1, 1_000);
    await second.stop('SIGTERM');

    const delivered = sink.requests.filter((r) => r.status === 200);
    expect(delivered).toHaveLength(1);
    expect(sink.requests).toHaveLength(failedAttempts + 1);
    expect(new Set(sink.requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set(['incident-1-opened']));
    const after = new Database(env.HANDOFF_MONITOR_DB, { readonly: true });
    expect(after.prepare('SELECT state FROM alert_outbox').all()).toEqual([{ state: 'sent' }]);
    after.close();
    // Evidence for the closing note of issue 5.
    process.stdout.write(
      `outbox across kill -9: ${failedAttempts} failed attempt(s) before the kill, ${delivered.length} delivery after restart\n`,
    );
  });
});
