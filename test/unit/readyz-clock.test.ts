/**
 * /readyz shares one store check among probes within a second, measured on the monitor's injected
 * clock (the one its write probe is stamped with), not the wall clock.
 */
import express from 'express';
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import { healthRoutes } from '../../monitor/src/api/routes/health';
import type { ContractStore } from '../../monitor/src/contract/store';
import type { MonitorStore } from '../../monitor/src/domain/store';

describe('/readyz probe sharing', () => {
  let server: Server;
  let base: string;
  const clock = { now: 1_000_000 };
  const probes: number[] = [];

  beforeAll(async () => {
    const store = {
      ping: async () => undefined,
      probeWrite: async (at: number) => void probes.push(at),
    } as unknown as MonitorStore;
    const contracts = { status: () => ({ loadedAt: 0, source: 'file' as const }) } as unknown as ContractStore;
    const app = express().use(healthRoutes({ store, contracts, now: () => clock.now }));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const ready = async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    return (await res.json()) as { status: string };
  };

  it('opens a new share window when the injected clock has moved a second, however little real time passed', async () => {
    await ready();
    expect(probes).toEqual([1_000_000]);

    clock.now += 999;
    await ready();
    expect(probes).toEqual([1_000_000]);

    // Milliseconds of real time later, but a second later on the monitor's clock: a fresh check.
    clock.now += 1;
    expect((await ready()).status).toBe('ready');
    expect(probes).toEqual([1_000_000, 1_001_000]);
  });
});
