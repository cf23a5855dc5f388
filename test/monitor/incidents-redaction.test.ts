/**
 * A token placed in headers or body of a failing request never reaches the monitor's store (the
 * SQLite file and its WAL, byte for byte; every Postgres row), its logs or the chat sink.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { Harness, report, Sink, startHarness, startSink } from './incidents-helpers';
import { storeKinds } from '../support/stores';

const SECRET = 'S3cr3tT0kenValue9f8e7d6c';
const poisoned = {
  title: `Task board refused Authorization: Bearer ${SECRET}`,
  error: {
    message: `401 from https://api.example.test/v1?api_key=${SECRET} with body {"password":"${SECRET}"}`,
    description: `X-Api-Key: ${SECRET}`,
  },
  context: {
    request: {
      headers: { Authorization: `Bearer ${SECRET}`, 'X-Auth-Token': SECRET, Cookie: `sid=${SECRET}` },
      body: { dealId: 'deal-42', apiKey: SECRET, nested: { client_secret: SECRET, note: `token=${SECRET}` } },
    },
  },
  execution: { id: '77', url: `https://n8n.example.test/workflow/1/executions/77?token=${SECRET}` },
  idempotencyKey: 'deal-42-kickoff',
};

describe.each(storeKinds)('redaction before storage and before sending on %s', (kind) => {
  let h: Harness;
  let sink: Sink;
  afterEach(async () => {
    await h.stop();
    await sink.close();
  });

  it.each(['slack', 'json'])('keeps the token out of the store, the logs and the %s chat sink', async (format) => {
    sink = await startSink();
    h = await startHarness({ store: kind, env: { HANDOFF_ALERT_WEBHOOK_URL: sink.url, HANDOFF_ALERT_FORMAT: format } });

    const created = await h.call('POST', '/api/v1/incidents', report(poisoned));
    const repeated = await h.call('POST', '/api/v1/incidents', report(poisoned));
    h.clock.now += 3 * 3_600_000;
    await h.monitor.alerts.escalate();
    await h.monitor.alerts.flush();

    // The answer shows the redacted incident, and it is still useful: dedup key, sample, key.
    expect(created.status).toBe(201);
    expect(repeated.body.incident.count).toBe(2);
    expect(JSON.stringify([created.body, repeated.body])).not.toContain(SECRET);
    expect(created.body.incident.context.request.body.dealId).toBe('deal-42');
    expect(created.body.incident.context.request.headers.Authorization).toBe('[redacted]');
    expect(created.body.incident.idempotencyKey).toBe('deal-42-kickoff');

    expect(sink.requests).toHaveLength(2); // opened + escalated
    for (const r of sink.requests) expect(JSON.stringify(r.headers) + r.raw).not.toContain(SECRET);
    if (format === 'slack') expect(Object.keys(sink.requests[0].body).sort()).toEqual(['blocks', 'text']);
    else expect(sink.requests[0].body).toMatchObject({ event: 'incident.opened', incident: { idempotencyKey: 'deal-42-kickoff' } });

    const listed = await h.call('GET', '/api/v1/incidents');
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);
    expect(h.logs.join('')).not.toContain(SECRET);
    expect(h.logs.length).toBeGreaterThan(0);

    await h.monitor.close(); // flush the WAL into the file, then read every byte the store wrote
    if (kind === 'sqlite') {
      const files = readdirSync(h.dir).filter((f) => f.startsWith('monitor.db'));
      expect(files).toContain('monitor.db');
      for (const f of files) expect(readFileSync(join(h.dir, f)).includes(Buffer.from(SECRET))).toBe(false);
    } else {
      // Postgres: every row of every table, as text; the incident itself is in there, the token is not.
      const stored = await h.database.contents();
      expect(stored).toContain('deal-42-kickoff');
      expect(stored).not.toContain(SECRET);
    }
  });
});
