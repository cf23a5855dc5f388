/**
 * No redirect is followed with a credential. n8n's API answering `302 Location: <another origin>`
 * must not carry X-N8N-API-KEY there (the collector and replay share this client), and an alert
 * webhook that redirects must not get the alert re-posted elsewhere: both are errors that name the
 * URL and the variable to fix.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';
import { createN8nClient, N8nApiError } from '../../monitor/src/collector/n8n-client';
import { createWebhookSender } from '../../monitor/src/alerts/sender';
import type { OutboxAlert } from '../../monitor/src/domain/incident-message';
import { Harness, report, startHarness } from './incidents-helpers';

const API_KEY = 'n8n_api_RedirectSecret12345';

interface Recorder {
  url: string;
  requests: { method?: string; url?: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** Answers every request with `status`, `Location: location(path)`; or 200 `{}` without a location. */
async function listen(answer: (req: { url: string }) => { status: number; location?: string }): Promise<Recorder> {
  const requests: Recorder['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    req.resume();
    const { status, location } = answer({ url: req.url ?? '/' });
    res.writeHead(status, { 'Content-Type': 'application/json', ...(location ? { Location: location } : {}) }).end('{"data":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let elsewhere: Recorder;
let redirector: Recorder;
beforeEach(async () => {
  elsewhere = await listen(() => ({ status: 200 }));
  redirector = await listen((req) => ({ status: 302, location: `${elsewhere.url}${req.url}` }));
});
afterEach(async () => {
  await redirector.close();
  await elsewhere.close();
});

describe('the n8n API client (collector and replay)', () => {
  it.each([
    ['listExecutions', (c: ReturnType<typeof createN8nClient>) => c.listExecutions({})],
    ['getExecution', (c: ReturnType<typeof createN8nClient>) => c.getExecution('42', true)],
    ['listWorkflows', (c: ReturnType<typeof createN8nClient>) => c.listWorkflows()],
    ['getWorkflow', (c: ReturnType<typeof createN8nClient>) => c.getWorkflow('7')],
  ])('%s: a redirect to another origin is an error naming the URL and N8N_BASE_URL; the API key stays home', async (_name, call) => {
    const client = createN8nClient({ baseUrl: redirector.url, apiKey: API_KEY });
    const failure = await call(client).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(N8nApiError);
    const message = (failure as Error).message;
    expect(message).toContain(`redirect (HTTP 302) to ${elsewhere.url}/api/v1/`);
    expect(message).toContain(`(${elsewhere.url}?)`);
    expect(message).toContain('N8N_BASE_URL');
    expect(message).not.toContain(API_KEY);
    expect(redirector.requests).toHaveLength(1);
    expect(redirector.requests[0].headers['x-n8n-api-key']).toBe(API_KEY);
    expect(elsewhere.requests).toEqual([]);
  });

  it('does not follow a redirect on its own origin either (n8n never redirects its API)', async () => {
    const self = await listen((req) => ({ status: 301, location: `/rest${req.url}` }));
    try {
      const client = createN8nClient({ baseUrl: self.url, apiKey: API_KEY });
      await expect(client.listWorkflows()).rejects.toThrow(
        /answered GET \/api\/v1\/workflows with a redirect \(HTTP 301\) to http:\/\/127\.0\.0\.1:\d+\/rest\/api\/v1\/workflows.*N8N_BASE_URL/,
      );
      expect(self.requests).toHaveLength(1);
    } finally {
      await self.close();
    }
  });
});

describe('the alert webhook sender', () => {
  const alert: OutboxAlert = {
    id: 1,
    incidentId: 1,
    kind: 'opened',
    idempotencyKey: 'incident-1-opened',
    attempts: 0,
    createdAt: 0,
    state: 'pending',
    message: {
      kind: 'opened',
      to: { name: 'Dana Ops' },
      at: '2026-02-02T09:00:00.000Z',
      incident: {
        id: 1,
        handoff: 'kickoff',
        dedupKey: 'd',
        title: 'Task board answered 503',
        severity: 'high',
        state: 'open',
        owner: { name: 'Dana Ops' },
        ownerSource: 'handoff',
        slaDueAt: '2026-02-04T09:00:00.000Z',
        firstSeenAt: '2026-02-02T09:00:00.000Z',
        lastSeenAt: '2026-02-02T09:00:00.000Z',
        count: 1,
      },
    },
  };

  it.each([301, 302, 307, 308])(
    'a %s is an error naming the URL and HANDOFF_ALERT_WEBHOOK_URL; nothing is posted elsewhere',
    async (status) => {
      const hop = await listen((req) => ({ status, location: `${elsewhere.url}${req.url}` }));
      try {
        const send = createWebhookSender({ url: `${hop.url}/hook?token=webhook-secret-123`, format: 'slack' });
        const failure = await send(alert).then(
          () => undefined,
          (err: unknown) => err as Error,
        );
        expect(failure?.message).toContain(`redirect (HTTP ${status}) to ${elsewhere.url}/hook`);
        expect(failure?.message).toContain('HANDOFF_ALERT_WEBHOOK_URL');
        expect(failure?.message).not.toContain('webhook-secret-123');
        expect(hop.requests).toHaveLength(1);
        expect(elsewhere.requests).toEqual([]);
      } finally {
        await hop.close();
      }
    },
  );

  describe('in the running monitor', () => {
    let h: Harness;
    afterEach(() => h?.stop());

    it('keeps the alert pending (a fixed URL delivers it) and says why, without posting it elsewhere', async () => {
      h = await startHarness({ env: { HANDOFF_ALERT_WEBHOOK_URL: `${redirector.url}/hook` } });
      await h.call('POST', '/api/v1/incidents', report());
      expect(await h.monitor.alerts.flush()).toBe(0);
      expect(elsewhere.requests).toEqual([]);
      expect(redirector.requests).toHaveLength(1); // one try: repeating a redirect within a pass cannot help
      const [pending] = await h.monitor.store.incidents.outbox.list();
      expect(pending).toMatchObject({ state: 'pending', attempts: 1 });
      expect(pending.lastError).toContain(`redirect (HTTP 302) to ${elsewhere.url}/hook`);
      expect(h.logs.join('')).toContain('HANDOFF_ALERT_WEBHOOK_URL');
    });
  });
});
