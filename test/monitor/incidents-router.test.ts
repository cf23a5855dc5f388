/**
 * The Exception Router against a real monitor and a real chat sink: a token in the failing item's
 * headers and body never reaches the store, the logs or the sink; 50 failures → one incident; the
 * claim is released so a retry can claim the key again.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { ExceptionRouter } from '../../nodes/ExceptionRouter/ExceptionRouter.node';
import { fakeContext } from '../unit/exception-router-context';
import { Harness, Sink, startHarness, startSink, TOKEN } from './incidents-helpers';
import { storeKinds } from '../support/stores';

const SECRET = 'rt_Live_9f8e7d6c5b4a3210ffee';

describe.each(storeKinds)('Exception Router → monitor on %s', (kind) => {
  let h: Harness;
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
    h = await startHarness({ store: kind, env: { HANDOFF_ALERT_WEBHOOK_URL: sink.url } });
  });
  afterEach(async () => {
    await h.stop();
    await sink.close();
  });

  const realMonitor = async (call: { url: string; method: string; body: unknown }) => {
    const response = await fetch(call.url.replace('http://monitor.test', h.monitor.url), {
      method: call.method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(call.body),
    });
    return { statusCode: response.status, body: await response.json() };
  };

  it('records a 50-failure storm as one incident, releases the claim, and leaks no token', async () => {
    await h.call('POST', '/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'deal-42' }] });
    const failing = {
      dealId: 'deal-42',
      kind: 'request_failed',
      error: `401 Unauthorized; request had Authorization: Bearer ${SECRET}`,
      request: { headers: { Authorization: `Bearer ${SECRET}`, 'X-Api-Key': SECRET }, body: { dealId: 'deal-42', access_token: SECRET } },
      _handoff: { handoff: 'kickoff', key: 'deal-42' },
    };
    const { ctx } = fakeContext({ items: Array.from({ length: 50 }, () => failing), params: { notify: 'none' }, monitor: realMonitor });
    const [out] = await new ExceptionRouter().execute.call(ctx);
    await h.monitor.alerts.flush();

    const { body } = await h.call('GET', '/api/v1/incidents?handoff=kickoff');
    expect(body.incidents).toHaveLength(1);
    expect(body.incidents[0]).toMatchObject({ count: 50, owner: { name: 'Dana Ops' }, idempotencyKey: 'deal-42' });
    expect(out).toHaveLength(50);
    expect(out[49].json._incident).toMatchObject({ count: 50, deduplicated: true, released: 'released' });
    const retry = await h.call('POST', '/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'deal-42' }] });
    expect(retry.body.results[0]).toMatchObject({ decision: 'new', attempt: 2 });

    expect(sink.requests).toHaveLength(1);
    expect(sink.requests[0].raw).not.toContain(SECRET);
    expect(JSON.stringify(body)).not.toContain(SECRET);
    expect(h.logs.join('')).not.toContain(SECRET);
    await h.monitor.close();
    if (kind === 'sqlite') {
      for (const f of readdirSync(h.dir).filter((name) => name.startsWith('monitor.db'))) {
        expect(readFileSync(join(h.dir, f)).includes(Buffer.from(SECRET))).toBe(false);
      }
    } else {
      const stored = await h.database.contents();
      expect(stored).toContain('deal-42');
      expect(stored).not.toContain(SECRET);
    }
    process.stdout.write(
      `router storm (${kind}): 50 failures → ${body.incidents.length} incident (count ${body.incidents[0].count}), ${sink.requests.length} alert\n`,
    );
  });
});
