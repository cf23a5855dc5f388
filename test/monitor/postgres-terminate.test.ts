/**
 * Postgres drops the monitor's connections (a restart, a failover, pg_terminate_backend) while it
 * works: claims in flight, the leader's duties ticking every 100 ms, the leader lock's session. A
 * connection that died inside a transaction used to emit an unhandled 'error' and end the process;
 * now the request fails or is retried, the pool reconnects, and the monitor leads again.
 */
import { Client } from 'pg';
import { startTestMonitor } from '../support/monitor';
import { POSTGRES_ADMIN_URL } from '../support/stores';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

it('survives every backend of its database being terminated, again and again, and then claims and leads as before', async () => {
  const m = await startTestMonitor({ store: 'postgres', env: { HANDOFF_POLL_INTERVAL: '100ms' } });
  try {
    const name = new URL(m.db).pathname.slice(1);
    let stop = false;
    let claims = 0;
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        await m.post('/api/v1/claims', { handoff: 'kickoff', items: [{ key: `k-${i}` }] }).catch(() => undefined);
        claims++;
      }
    })();
    for (let round = 0; round < 6; round++) {
      const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
      await admin.connect();
      try {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      } finally {
        await admin.end();
      }
      await new Promise((r) => setTimeout(r, 300 + round * 100));
    }
    stop = true;
    await load;
    expect(claims).toBeGreaterThan(10);
    const after = await m.post('/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'after-the-storm' }] });
    expect(after.status).toBe(200);
    expect(after.body.results[0].decision).toBe('new');
    await waitFor('the monitor to lead again', () => m.monitor.leader.isLeader(), { intervalMs: 20 });
    expect(m.monitor.leader.isLeader()).toBe(true);
  } finally {
    await m.close();
  }
});
