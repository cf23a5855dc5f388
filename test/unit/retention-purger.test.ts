/**
 * The retention purger is a leader duty: it stops when this replica stops leading and starts again when
 * it leads again. A purger started again after a stop must purge in full, not stop after one batch.
 */
import pino from 'pino';
import { PURGE_TABLES, type PurgeTable, type RetentionStore } from '../../monitor/src/domain/store';
import { createRetentionPurger } from '../../monitor/src/retention/purge';

const DAY = 86_400_000;
const POLICY = { claimsMs: DAY, eventsMs: DAY, executionsMs: DAY, incidentsMs: DAY, alertsMs: DAY };

/** Rows past retention per table, deleted `limit` at a time. */
function storeWith(rows: number): RetentionStore & { left: () => number } {
  const left = Object.fromEntries(PURGE_TABLES.map((table) => [table, rows])) as Record<PurgeTable, number>;
  return {
    holdsEventLoop: false,
    async purge(table, _before, limit) {
      const n = Math.min(limit, left[table]);
      left[table] -= n;
      return { deleted: n, last: n ? left[table] : null };
    },
    left: () => Object.values(left).reduce((a, b) => a + b, 0),
  };
}

describe('retention purger as a leader duty', () => {
  it('purges in full when started again after a stop (leadership lost, then regained)', async () => {
    const store = storeWith(50);
    const purger = createRetentionPurger({
      store,
      policy: POLICY,
      now: () => 10 * DAY,
      logger: pino({ level: 'silent' }),
      options: { batch: 10, minBatch: 10, maxBatch: 10, pause: async () => undefined },
    });
    purger.start(3_600_000);
    await purger.stop();
    purger.start(3_600_000);
    const report = await purger.run();
    await purger.stop();
    expect(report.stopped).toBe(false);
    expect(report.deleted).toBe(50 * PURGE_TABLES.length);
    expect(store.left()).toBe(0);
  });

  it('a stop ends a running purge at its next batch', async () => {
    const store = storeWith(50);
    let batches = 0;
    const purger = createRetentionPurger({
      store: { ...store, purge: (...args) => (batches++, store.purge(...args)) },
      policy: POLICY,
      now: () => 10 * DAY,
      logger: pino({ level: 'silent' }),
      options: { batch: 10, minBatch: 10, maxBatch: 10, pause: () => new Promise((r) => setImmediate(r)) },
    });
    purger.start(3_600_000);
    const running = purger.run();
    await new Promise((r) => setImmediate(r));
    await purger.stop();
    const report = await running;
    expect(report.stopped).toBe(true);
    expect(batches).toBeLessThan(25);
  });
});
