/**
 * A port already in use is a clear start-up error ("port 5680 on 127.0.0.1 is already in use …
 * HANDOFF_MONITOR_PORT"), not "Cannot destructure property 'port' of … as it is null"; and the
 * monitor that failed to start leaves nothing running (its store is closed, its timers never start).
 */
import { createServer, type Server } from 'net';
import type { AddressInfo } from 'net';
import { startTestMonitor } from '../support/monitor';
import { storeKinds } from '../support/stores';

let taken: Server;
let port: number;
beforeEach(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as AddressInfo).port;
});
afterEach(() => new Promise<void>((resolve) => taken.close(() => resolve())));

describe.each(storeKinds)('a port in use on %s', (kind) => {
  it('fails start-up with the port, the address and the variable to change', async () => {
    const failure = await startTestMonitor({ store: kind, env: { HANDOFF_MONITOR_PORT: String(port) } }).then(
      async (m) => {
        await m.close();
        return undefined;
      },
      (err: unknown) => err as Error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure?.message).toBe(
      `Port ${port} on 127.0.0.1 is already in use (another handoff-monitor, or another program): stop it, or set HANDOFF_MONITOR_PORT to a free port`,
    );
  });
});

it('names the address when HANDOFF_MONITOR_HOST is not an address of this machine', async () => {
  const failure = await startTestMonitor({ env: { HANDOFF_MONITOR_HOST: '192.0.2.1', HANDOFF_MONITOR_PORT: '0' } }).then(
    async (m) => {
      await m.close();
      return undefined;
    },
    (err: unknown) => err as Error,
  );
  expect(failure?.message).toMatch(
    /^Cannot listen on 192\.0\.2\.1:0: that address is not one of this machine's; set HANDOFF_MONITOR_HOST to one of its addresses \(127\.0\.0\.1 or 0\.0\.0\.0 for all\)/,
  );
});
