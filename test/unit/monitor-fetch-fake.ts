/**
 * The nodes reach the monitor through Node's fetch (nodes/shared/monitor-client.ts). Unit tests that
 * fake the monitor replace fetch for the test: each request reaches `answer` as {url, method, body,
 * headers}, and its {statusCode, body} (or a thrown error, as a network failure) is what the node gets.
 */
export interface FakeMonitorRequest {
  url: string;
  method: string;
  body: any;
  headers: Record<string, string>;
}
export type FakeMonitorAnswer = { statusCode: number; body?: unknown; headers?: Record<string, string> };

export function fakeMonitorFetch(
  answer: (request: FakeMonitorRequest) => FakeMonitorAnswer | Error | Promise<FakeMonitorAnswer | Error>,
): jest.SpyInstance {
  return jest.spyOn(global, 'fetch').mockImplementation(async (input: string | URL | Request, init?: RequestInit) => {
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
