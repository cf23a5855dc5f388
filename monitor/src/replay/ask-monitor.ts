/**
 * Sends the `handoff-monitor replay` request to the running monitor. Thin I/O, never throws: every
 * outcome is a MonitorAnswer that command.ts turns into text and an exit code.
 *
 * Exported API (stable):
 *   askMonitor(request: ReplayCommandRequest, opts?: { fetch?, timeoutMs? }) → Promise<MonitorAnswer>
 *   REPLAY_REQUEST_TIMEOUT_MS
 *
 * The monitor runs the replays before it answers (paced, a few at a time), so the wait is long by
 * default; a timeout is reported as such, not as "unreachable", because replays may be under way.
 */
import type { MonitorAnswer, ReplayCommandRequest } from './command';

export const REPLAY_REQUEST_TIMEOUT_MS = 10 * 60_000;

export async function askMonitor(
  request: ReplayCommandRequest,
  opts: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<MonitorAnswer> {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? REPLAY_REQUEST_TIMEOUT_MS;
  let res: Response;
  try {
    res = await doFetch(`${request.baseUrl}${request.path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${request.token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(request.body),
      // The bearer token goes to the address given and nowhere a response points to.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { kind: 'timeout', afterMs: timeoutMs };
    return { kind: 'unreachable', reason: e.cause?.code ?? e.cause?.message ?? e.message };
  }
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { kind: 'response', status: res.status, body };
}
