/**
 * The nodes reach the monitor through Node's fetch (nodes/shared/monitor-client.ts). Unit tests that
 * fake the monitor replace fetch for the test: each request reaches `answer` as {url, method, body,
 * headers}, and its {statusCode, body} (or a thrown error, as a network failure) is what the node gets.
 * `only` limits the fake to the fake monitor's URLs; anything else (a test forwarding to a real monitor,
 * the test's own requests) goes to the real fetch, so a fake that forwards never calls itself.
 */
const realFetch = global.fetch;

export interface FakeMonitorRequest {
  url: string;
  method: string;
  body: any;
  headers: Record<string, string>;
}
export type FakeMonitorAnswer = { statusCode: number; body?: unknown; headers?: Record<string, string> };

export function fakeMonitorFetch(
  answer: (request: FakeMonitorRequest) => FakeMonitorAnswer | Error | Promise<FakeMonitorAnswer | Error>,
  opts: { only?: (url: string) => boolean } = {},
): jest.SpyInstance {
  return jest.spyOn(global, 'fetch').mockImplementation(async (input: string | URL | Request, init?: RequestInit) => {
    if (opts.only && !opts.only(String(input))) return realFetch(input, init);
    const request: FakeMonitorRequest = {
      url: String(input),
      method: String(init?.method ?? 'GET'),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: { ...(init?.headers as Record<string, string> | undefined) },
    };
    const out = await answer(request);
    if (out instanceof Error) throw out;
    const text = out.body === undefined ? null : typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
    return new Response(text, { status: out.statusCode, headers: { 'content-type': 'application/json', ...out.headers } });
  });
}
