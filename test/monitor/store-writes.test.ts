/**
 * Start-up writes to the store before it reports ready, and /readyz turns unready when writes fail
 * (issue 18: a read-only database file started and reported ready, then every write was a 500; a
 * full disk reported ready while writes failed). Real failures, not mocks:
 *  - a read-only SQLite file: the real CLI run as an unprivileged user (root ignores file modes);
 *  - a full disk: the real CLI under a file-size limit (RLIMIT_FSIZE), so SQLite's writes fail as
 *    they do on a full disk once the WAL reaches it;
 *  - a read-only Postgres (what a failover to a standby looks like): default_transaction_read_only.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import { openStore } from '../../monitor/src/store';
import { ensureMonitorBuilt, MonitorDidNotStart, serveCli, type ServingMonitor } from '../support/cli';
import { KICKOFF_CONTRACT, startTestMonitor, type TestMonitor } from '../support/monitor';
import { POSTGRES_ADMIN_URL } from '../support/stores';

jest.setTimeout(60_000);

const TOKEN = 'store-writes-token-0123456789';
const RETENTION_MS = 30 * 86_400_000;
const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));

/** A migrated, empty SQLite store in a folder of its own (created by this process). */
async function freshSqlite(): Promise<{ dir: string; db: string; contracts: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-writes-'));
  const db = join(dir, 'monitor.db');
  const store = await openStore(db, { retentionMs: RETENTION_MS });
  await store.close();
  const contracts = join(dir, 'handoffs.yaml');
  writeFileSync(contracts, KICKOFF_CONTRACT);
  return { dir, db, contracts };
}

describe('SQLite', () => {
  let dir: string | undefined;
  let running: ServingMonitor | undefined;
  beforeAll(() => ensureMonitorBuilt());
  afterEach(async () => {
    await running?.stop('SIGKILL');
    running = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('refuses to start on a read-only database file, naming the file and the fix', async () => {
    const fresh = await freshSqlite();
    dir = fresh.dir;
    // The folder stays writable (so -wal and -shm can be made), the database file itself is not.
    chmodSync(dir, 0o777);
    chmodSync(fresh.contracts, 0o644);
    chmodSync(fresh.db, 0o444);
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const refused = await serveCli(
      { HANDOFF_MONITOR_TOKEN: TOKEN, HANDOFF_MONITOR_DB: fresh.db, HANDOFF_CONTRACTS: fresh.contracts },
      undefined,
      asUser,
    ).then(
      (started) => {
        running = started;
        throw new Error(`the monitor started on a read-only file at ${started.url}`);
      },
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(MonitorDidNotStart);
    expect((refused as MonitorDidNotStart).code).toBe(1);
    expect((refused as MonitorDidNotStart).output).toContain(
      `The store at ${fresh.db} (HANDOFF_MONITOR_DB) cannot be written (SQLITE_READONLY): the file or its folder is read-only for this user: make ${fresh.db}, its folder and its -wal and -shm files writable`,
    );
  });

  (PRLIMIT ? it : it.skip)('reports not ready once the disk is full (writes fail), and says why', async () => {
    const fresh = await freshSqlite();
    dir = fresh.dir;
    // Every file the monitor writes may grow to 1 MiB: the WAL reaches it after a few batches of claims.
    running = await serveCli(
      { HANDOFF_MONITOR_TOKEN: TOKEN, HANDOFF_MONITOR_DB: fresh.db, HANDOFF_CONTRACTS: fresh.contracts },
      undefined,
      {
        wrapper: [PRLIMIT!, `--fsize=${1024 * 1024}`, '--'],
      },
    );
    const { url } = running;
    const readyz = async () => {
      const res = await fetch(`${url}/readyz`);
      return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
    };
    expect((await readyz()).status).toBe(200);

    let failed = 0;
    let body: any;
    for (let batch = 0; batch < 40 && !failed; batch++) {
      const res = await fetch(`${url}/api/v1/claims`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          handoff: 'kickoff',
          items: Array.from({ length: 1_000 }, (_, i) => ({ key: `deal-${batch}-${i}-${'x'.repeat(300)}` })),
        }),
      });
      if (res.status !== 200) {
        failed = res.status;
        body = await res.json();
      }
    }
    // Not a monitor bug (500) but a store that refuses writes: 503, and /readyz agrees at once.
    expect(failed).toBe(503);
    expect(body.error.code).toBe('store_unwritable');
    const after = await readyz();
    expect(after.status).toBe(503);
    expect(after.body.status).toBe('not_ready');
    expect(after.body.checks.store).toMatch(/^writes failing: disk full or failing \(SQLITE_(FULL|IOERR\w*)\)$/);
  });
});

describe('Postgres', () => {
  let m: TestMonitor | undefined;
  afterEach(async () => {
    await m?.close();
    m = undefined;
  });

  const admin = async (sql: string) => {
    const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  it('turns /readyz unready while the database accepts only reads, and ready again after', async () => {
    m = await startTestMonitor({ store: 'postgres' });
    const name = new URL(m.db).pathname.slice(1);
    const readyz = async () => {
      // Past the one-second share window, so each call checks afresh.
      await new Promise((r) => setTimeout(r, 1_050));
      return m!.request('GET', '/readyz');
    };
    // The monitor's pooled connections keep their session settings: end them, so the pool reconnects.
    const reconnect = () =>
      admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
    expect((await readyz()).status).toBe(200);

    await admin(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    await reconnect();
    const down = await readyz();
    expect(down.status).toBe(503);
    expect(down.body.checks.store).toBe('writes failing: read-only (25006)');
    const claim = await m.post('/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'ro-1' }] });
    expect(claim.status).toBe(503);
    expect(claim.body.error).toMatchObject({
      code: 'store_unwritable',
      message: expect.stringContaining('cannot be written right now (read-only)'),
    });

    await admin(`ALTER DATABASE ${name} SET default_transaction_read_only = off`);
    await reconnect();
    // A refused write keeps /readyz unready for a while (a balancer stops sending writes); a write
    // that goes through ends that at once.
    expect((await readyz()).status).toBe(503);
    expect((await m.post('/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'ro-1' }] })).status).toBe(200);
    const up = await readyz();
    expect(up.status).toBe(200);
    expect(up.body.checks.store).toBe('ok');
  });
});
