/**
 * Text is validated at the API edge, the same on both stores (issue 18): a NUL character or an
 * unpaired surrogate anywhere in a request is a 400 that names the field, and nothing of the batch
 * is written (Postgres used to answer 500 and log the raw request; SQLite stored it). `/events`
 * errors name the field; `constructor` and `prototype` are ordinary data keys, `__proto__` is inert.
 */
import { Writable } from 'stream';
import { createLogger } from '../../monitor/src/util/logger';
import { startTestMonitor, type TestMonitor } from '../support/monitor';
import { storeKinds } from '../support/stores';

describe.each(storeKinds)('text at the API edge on %s', (kind) => {
  let m: TestMonitor;
  beforeAll(async () => {
    m = await startTestMonitor({ store: kind });
  });
  afterAll(() => m?.close());

  const expectRefused = (res: { status: number; body: any }, path: string, what: RegExp) => {
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.message).toMatch(what);
    expect(res.body.error.issues[0].path).toBe(path);
  };

  it('a NUL in a key is a 400 naming the item, and no key of the batch is claimed', async () => {
    const res = await m.post('/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'nul-ok' }, { key: 'nul-a\u0000b' }] });
    expectRefused(
      res,
      'items[1].key',
      /^Invalid claim request: items\[1\]\.key holds a NUL character \(\\u0000\) at character 6, which cannot be stored; remove it$/,
    );
    const again = await m.post('/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'nul-ok' }] });
    expect(again.body.results[0].decision).toBe('new');
  });

  it('an unpaired surrogate in a key or fingerprint is a 400 naming it', async () => {
    const lone = await m.request('POST', '/api/v1/claims', '{"handoff":"kickoff","items":[{"key":"sur-ok"},{"key":"sur-\\ud800x"}]}');
    expectRefused(
      lone,
      'items[1].key',
      /items\[1\]\.key holds an unpaired surrogate \(\\ud800\) at character 5: it is not valid Unicode text; send the text as UTF-8/,
    );
    const low = await m.request('POST', '/api/v1/claims', '{"handoff":"kickoff","items":[{"key":"sur-2","fingerprint":"\\udc00"}]}');
    expectRefused(low, 'items[0].fingerprint', /unpaired surrogate \(\\udc00\) at character 1/);
    const pair = await m.post('/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'emoji-🎉' }] });
    expect(pair.status).toBe(200);
    expect((await m.post('/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'sur-ok' }] })).body.results[0].decision).toBe('new');
  });

  it('a NUL in a complete reason is a 400 naming reason', async () => {
    await m.post('/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'reason-1' }] });
    const res = await m.post('/api/v1/claims/complete', { handoff: 'kickoff', keys: ['reason-1'], reason: 'done\u0000' });
    expectRefused(res, 'reason', /^Invalid complete request: reason holds a NUL character/);
    expect((await m.post('/api/v1/claims/complete', { handoff: 'kickoff', keys: ['reason-1'] })).body.results[0].outcome).toBe('completed');
  });

  it('a NUL deep in an event batch is a 400 naming the event and the detail; no event is written', async () => {
    const res = await m.post('/api/v1/events', {
      events: [
        { handoff: 'kickoff', key: 'ev-1', kind: 'validated' },
        { handoff: 'kickoff', key: 'ev-1', kind: 'qa_failed', details: { diff: [{ field: 'title', note: 'x\u0000' }] } },
      ],
    });
    expectRefused(res, 'events[1].details.diff[0].note', /^Invalid event: events\[1\]\.details\.diff\[0\]\.note holds a NUL character/);
    expect(await m.monitor.store.events.trace('kickoff', 'ev-1')).toEqual([]);
  });

  it('a bad key name inside a context is a 400 naming it; a bad title too; no incident is opened', async () => {
    const key = await m.request(
      'POST',
      '/api/v1/incidents',
      '{"handoff":"kickoff","dedupKey":"t-1","title":"ok","context":{"row":{"na\\u0000me":1}}}',
    );
    expectRefused(key, 'context.row["na\\u0000me"]', /context\.row\["na\\u0000me"\] \(a key\) holds a NUL character/);
    const title = await m.request('POST', '/api/v1/incidents', '{"handoff":"kickoff","dedupKey":"t-2","title":"Board \\ud83d down"}');
    expectRefused(title, 'title', /^Invalid incident: title holds an unpaired surrogate \(\\ud83d\) at character 7/);
    const dedup = await m.post('/api/v1/incidents', { handoff: 'kickoff', dedupKey: 'x\u0000', title: 'ok' });
    expectRefused(dedup, 'dedupKey', /dedupKey holds a NUL character/);
    expect((await m.request('GET', '/api/v1/incidents')).body.incidents).toEqual([]);
  });

  it('a NUL in a query parameter is a 400 naming it', async () => {
    const res = await m.request('GET', '/api/v1/incidents?owner=Dana%00');
    expectRefused(res, 'owner', /^Invalid query: owner holds a NUL character/);
    const queue = await m.request('GET', '/api/v1/queue?handoff=kick%00off');
    expectRefused(queue, 'handoff', /^Invalid query: handoff holds a NUL character/);
  });

  it('the dashboard refuses the same text in a form field and in a page query', async () => {
    const replay = await m.request('POST', '/queue/replay', 'handoff=kickoff&key=deal%00x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(replay.status).toBe(400);
    expect(replay.body).toContain('key holds a NUL character');
    const page = await m.request('GET', '/incidents?owner=%00');
    expect(page.status).toBe(400);
    expect(page.body.error.message).toMatch(/^Invalid query: owner holds a NUL character/);
  });

  it('/events errors name the field, in a batch and for a single event', async () => {
    const batch = await m.post('/api/v1/events', {
      events: [
        { handoff: 'kickoff', kind: 'validated' },
        { handoff: 'kickoff', kind: 'Not-A-Kind' },
      ],
    });
    expectRefused(batch, 'events[1].kind', /^Invalid event: events\[1\]\.kind must be a lower_snake_case word/);
    const single = await m.post('/api/v1/events', { kind: 'validated', key: 'k' });
    expectRefused(single, 'handoff', /^Invalid event: handoff /);
    const extra = await m.post('/api/v1/events', { handoff: 'kickoff', kind: 'validated', colour: 'red' });
    expectRefused(extra, '(body)', /^Invalid event: \(body\) Unrecognized key: "colour"/);
    const empty = await m.post('/api/v1/events', { events: [] });
    expectRefused(empty, 'events', /^Invalid event: events /);
  });

  it('accepts constructor and prototype as data keys in contexts and details; __proto__ stays inert', async () => {
    const opened = await m.post('/api/v1/incidents', {
      handoff: 'kickoff',
      dedupKey: 'proto-1',
      title: 'A deal whose payload names its constructor',
      context: { constructor: 'Deal', prototype: { plan: 'gold' }, row: { constructor: 5 } },
    });
    expect(opened.status).toBe(201);
    expect(opened.body.incident.context).toEqual({ constructor: 'Deal', prototype: { plan: 'gold' }, row: { constructor: 5 } });
    const stored = await m.request('GET', `/api/v1/incidents/${opened.body.incident.id}`);
    expect(stored.body.incident.context.constructor).toBe('Deal');

    const event = await m.post('/api/v1/events', {
      handoff: 'kickoff',
      key: 'proto-ev',
      kind: 'validated',
      details: { constructor: 'Deal', prototype: 1 },
    });
    expect(event.status).toBe(202);
    const [trace] = await m.monitor.store.events.trace('kickoff', 'proto-ev');
    expect(trace.details).toEqual({ constructor: 'Deal', prototype: 1 });

    const polluting = await m.request(
      'POST',
      '/api/v1/incidents',
      '{"handoff":"kickoff","dedupKey":"proto-2","title":"t","context":{"__proto__":{"polluted":"yes"},"a":1},"error":{"message":"m","__proto__":{"polluted":"yes"}}}',
    );
    expect(polluting.status).toBe(201);
    expect(polluting.body.incident.context).toEqual({ a: 1 });
    expect(JSON.stringify(polluting.body)).not.toContain('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('logs never carry raw request text', () => {
  it('an error is logged with its type, code, message and stack, not the database context that quotes the request', () => {
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const err = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: '22021',
      detail: 'RAW-REQUEST-TEXT',
      where: 'JSON data, line 1: [{"handoff":"kickoff","key":"RAW-REQUEST-TEXT',
      internalQuery: 'RAW-REQUEST-TEXT',
    });
    logger.error({ err }, 'unhandled error');
    logger.error({ err: 'contract reload failed: Authorization: Token Zq8xT0kenValue1234abcd' }, 'string errors are redacted');
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first.err).toEqual({
      type: 'Error',
      message: 'invalid byte sequence for encoding "UTF8": 0x00',
      code: '22021',
      stack: expect.stringContaining('invalid byte sequence'),
    });
    expect(lines.join('')).not.toContain('RAW-REQUEST-TEXT');
    expect(second.err).toBe('contract reload failed: Authorization: [redacted]');
  });
});
