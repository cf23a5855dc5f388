/** The mock agency systems behave like the SaaS tools they stand in for, faults included. */
import http from 'http';
import type { AddressInfo } from 'net';
import { AgencyMock, startAgencyMock } from '../mocks/agency';
import { holdsFor } from '../support/wait';

let mock: AgencyMock;
beforeAll(async () => {
  mock = await startAgencyMock();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${mock.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* plain text, e.g. Slack's "ok" */
  }
  return { status: res.status, headers: res.headers, body: json as any };
};

/** A throwaway receiver standing in for n8n's webhook endpoint. */
async function receiver() {
  const got: unknown[] = [];
  const srv = http.createServer((req, res) => {
    let s = '';
    req
      .on('data', (d) => (s += d))
      .on('end', () => {
        got.push(JSON.parse(s));
        res.end('{}');
      });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/hook`, got, close: () => new Promise((r) => srv.close(r)) };
}

describe('records', () => {
  it('creates, finds by deal, reads, and deletes task-board projects', async () => {
    const created = await call('POST', '/taskboard/projects', { dealId: 'D-1', name: 'Acme kickoff' });
    expect(created.status).toBe(201);
    expect((await call('GET', '/taskboard/projects?dealId=D-1')).body.data).toHaveLength(1);
    expect((await call('GET', `/taskboard/projects/${created.body.id}`)).body.name).toBe('Acme kickoff');
    expect((await call('DELETE', `/taskboard/projects/${created.body.id}`)).status).toBe(204);
    expect((await call('GET', `/taskboard/projects/${created.body.id}`)).status).toBe(404);
  });

  it('does not dedupe by Idempotency-Key unless asked to, like most SaaS APIs', async () => {
    const h = { 'Idempotency-Key': 'k-1' };
    await call('POST', '/cms/folders', { dealId: 'D-2' }, h);
    await call('POST', '/cms/folders', { dealId: 'D-2' }, h);
    expect(mock.folders({ dealId: 'D-2' })).toHaveLength(2);

    mock.honourIdempotencyKey('folders', true);
    const first = await call('POST', '/cms/folders', { dealId: 'D-3' }, { 'Idempotency-Key': 'k-3' });
    const replay = await call('POST', '/cms/folders', { dealId: 'D-3' }, { 'Idempotency-Key': 'k-3' });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
    expect(mock.folders({ dealId: 'D-3' })).toHaveLength(1);
  });

  it('takes Slack-style chat messages and rejects empty ones', async () => {
    const ok = await call('POST', '/chat/webhook', { text: 'Handoff failed: D-9' });
    expect([ok.status, ok.body]).toEqual([200, 'ok']);
    expect((await call('POST', '/chat/webhook', {})).status).toBe(400);
    expect(mock.chatMessages().map((m) => m.text)).toEqual(['Handoff failed: D-9']);
  });

  it('records every call with method, path, headers and body', async () => {
    await call('POST', '/taskboard/projects', { dealId: 'D-4' }, { 'x-trace': 't1' });
    const [rec] = mock.calls({ system: 'taskboard' });
    expect(rec).toMatchObject({ method: 'POST', path: '/taskboard/projects', body: { dealId: 'D-4' }, status: 201 });
    expect(rec.headers['x-trace']).toBe('t1');
    expect(rec.at).toBeGreaterThan(0);
  });
});

describe('faults', () => {
  it('fails the next N calls with the given status, then recovers', async () => {
    mock.inject('taskboard', { method: 'POST', failNext: { count: 2, status: 503 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('POST', '/taskboard/projects', { dealId: 'D-5' })).status);
    expect(statuses).toEqual([503, 503, 201]);
    expect(mock.projects({ dealId: 'D-5' })).toHaveLength(1);
  });

  it('answers 429 with Retry-After', async () => {
    await call('POST', '/_control/faults', { system: 'cms', rateLimitNext: { count: 1, retryAfterSeconds: 7 } });
    const limited = await call('POST', '/cms/folders', { dealId: 'D-6' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await call('POST', '/cms/folders', { dealId: 'D-6' })).status).toBe(201);
  });

  it('adds latency, and a caller that hangs up during it never reaches the system', async () => {
    mock.inject('taskboard', { latency: { ms: 300, count: 2 } });
    const t0 = Date.now();
    await call('GET', '/taskboard/projects');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);

    await expect(
      fetch(`${mock.url}/taskboard/projects`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dealId: 'D-7' }),
        signal: AbortSignal.timeout(50),
      }),
    ).rejects.toThrow();
    await holdsFor('no project created for the request whose caller hung up', () => mock.projects({ dealId: 'D-7' }).length === 0, 400);
    expect(mock.projects({ dealId: 'D-7' })).toHaveLength(0);
    expect(mock.calls({ method: 'POST', path: '/taskboard/projects' })[0].aborted).toBe(true);
  });
});

describe('CRM webhooks', () => {
  it('sends closed-won to the given URL and to subscribers; drops and repeats on demand', async () => {
    const hook = await receiver();
    try {
      const deal = mock.addDeal({ name: 'Acme retainer', amount: 12000 });
      const sent = await call('POST', `/crm/deals/${deal.id}/close-won`, { webhookUrl: hook.url });
      expect(sent.body.deliveries[0].results).toEqual([{ status: 200 }]);
      expect(hook.got[0]).toMatchObject({ event: 'deal.closed_won', dealId: deal.id, stage: 'closed-won', name: 'Acme retainer' });

      await call('POST', '/_control/webhook-faults', { dropNext: 1 });
      const dropped = await mock.closeWon(deal.id, hook.url);
      expect(dropped?.deliveries[0].dropped).toBe(true);
      expect(hook.got).toHaveLength(1);

      mock.webhookFaults({ repeatNext: 5 });
      await call('POST', '/crm/webhooks', { url: hook.url });
      await mock.closeWon(deal.id);
      expect(hook.got).toHaveLength(6);
    } finally {
      await hook.close();
    }
  });
});
