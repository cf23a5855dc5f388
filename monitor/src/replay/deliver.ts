/**
 * Re-delivers a replay input to the workflow's production webhook. Thin I/O: one request, never throws.
 *
 * Exported API (stable):
 *   deliverReplay(opts: DeliverOptions) → Promise<DeliverResult>   { status, ok, message }
 *   replayUrl(baseUrl, input, webhookPrefix?) → URL               where deliverReplay sends it
 *   REPLAY_HEADER = 'x-handoff-replay-of'
 *
 * What is sent: the input's method, body and query, a content type, and `x-handoff-replay-of:
 * <execution id>` so the workflow (and whoever reads its executions) can tell a replay from a fresh
 * request. Nothing of the original request's headers: they may carry secrets or signatures.
 *
 * Why redirects are never followed (`redirect: 'manual'`): the body goes to N8N_BASE_URL only. A
 * redirect elsewhere (a proxy, a login page, http → https) is reported with its target so the owner
 * can correct N8N_BASE_URL, instead of posting a deal to whatever host a response names.
 *
 * `ok` means n8n accepted the request (2xx). With the kickoff's "respond immediately" webhook that
 * is "the run started", not "the handoff succeeded": the caller decides recovery from the ledger.
 */
import type { ReplayInput } from './source';

export const REPLAY_HEADER = 'x-handoff-replay-of';

export interface DeliverOptions {
  /** N8N_BASE_URL: where n8n serves production webhooks (`<baseUrl>/webhook/<path>`). */
  baseUrl: string;
  input: ReplayInput;
  /** The execution being replayed; sent as `x-handoff-replay-of`. */
  replayOf: string;
  fetch?: typeof fetch;
  /** Default 30 s; a webhook that responds when the run ends can take a while. */
  timeoutMs?: number;
  /** n8n's N8N_ENDPOINT_WEBHOOK (default "webhook"). */
  webhookPrefix?: string;
}

export interface DeliverResult {
  /** HTTP status n8n answered with; null when no answer came (refused connection, timeout). */
  status: number | null;
  ok: boolean;
  message: string;
}

/** `a[b]=1&a[c][]=2` style pairs for a nested query, as n8n's query parser reads them back. */
function queryPairs(prefix: string, value: unknown, out: Array<[string, string]>): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) queryPairs(prefix, v, out);
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) queryPairs(`${prefix}[${k}]`, v, out);
  } else {
    out.push([prefix, String(value)]);
  }
}

export function replayUrl(baseUrl: string, input: Pick<ReplayInput, 'path' | 'query'>, webhookPrefix = 'webhook'): URL {
  const base = new URL(baseUrl);
  const prefix = webhookPrefix.replace(/^\/+|\/+$/g, '');
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}/${prefix}/${input.path}`, base.origin);
  // source.ts refuses paths that climb out; this keeps a hand-built input from doing so either.
  if (url.origin !== base.origin || !url.pathname.startsWith(`${base.pathname.replace(/\/+$/, '')}/${prefix}/`)) {
    throw new Error(`webhook path "${input.path}" leaves ${base.origin}/${prefix}/`);
  }
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(input.query ?? {})) queryPairs(k, v, pairs);
  for (const [k, v] of pairs) url.searchParams.append(k, v);
  return url;
}

/** n8n's own error text (`{"message": ...}`), cut short and on one line; never the whole body. */
function n8nMessage(text: string): string | undefined {
  let message: unknown;
  try {
    message = (JSON.parse(text) as { message?: unknown })?.message;
  } catch {
    message = undefined;
  }
  if (typeof message !== 'string' || !message.trim()) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are what this strips or refuses
  const line = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

export async function deliverReplay(opts: DeliverOptions): Promise<DeliverResult> {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const { input } = opts;
  let url: URL;
  try {
    url = replayUrl(opts.baseUrl, input, opts.webhookPrefix);
  } catch (err) {
    return { status: null, ok: false, message: `cannot build the webhook URL: ${(err as Error).message}` };
  }
  const where = `${input.method} ${url.origin}${url.pathname}`;

  const headers: Record<string, string> = { [REPLAY_HEADER]: opts.replayOf, accept: 'application/json, text/plain;q=0.9, */*;q=0.1' };
  let body: string | undefined;
  if (input.method !== 'GET' && input.method !== 'HEAD' && input.body !== undefined) {
    body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
    headers['content-type'] = input.contentType ?? (typeof input.body === 'string' ? 'text/plain' : 'application/json');
  }

  let res: Response;
  try {
    res = await doFetch(url, { method: input.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      return {
        status: null,
        ok: false,
        message: `n8n did not answer ${where} within ${timeoutMs < 1_000 ? `${timeoutMs}ms` : `${Math.round(timeoutMs / 1000)}s`}; the run may still have started — check n8n's executions before replaying again`,
      };
    }
    const cause = e.cause?.code ?? e.cause?.message ?? e.message;
    return { status: null, ok: false, message: `could not reach n8n for ${where}: ${cause}; check N8N_BASE_URL and that n8n is running` };
  }

  const text = await res.text().catch(() => '');
  const said = n8nMessage(text);
  const detail = said ? `: ${said}` : '';
  const status = res.status;
  if (status >= 200 && status < 300) {
    return { status, ok: true, message: `n8n accepted the replay (${where} → HTTP ${status}${detail})` };
  }
  if (status >= 300 && status < 400) {
    const location = res.headers.get('location');
    let target = location ?? '(no location)';
    try {
      if (location)
        target =
          new URL(location, url).origin === url.origin
            ? `${new URL(location, url).pathname} on the same host`
            : new URL(location, url).origin;
    } catch {
      /* keep the raw location */
    }
    return {
      status,
      ok: false,
      message: `n8n answered ${where} with a redirect (HTTP ${status}) to ${target}; not followed — set N8N_BASE_URL to the address n8n serves webhooks on`,
    };
  }
  if (status === 404) {
    return {
      status,
      ok: false,
      message: `n8n has no production webhook ${where} (HTTP 404${detail}); is the workflow published, and is N8N_BASE_URL the address n8n serves webhooks on?`,
    };
  }
  if (status === 401 || status === 403) {
    return {
      status,
      ok: false,
      message: `n8n refused the replay (${where} → HTTP ${status}${detail}); the webhook wants credentials or an allowed IP the monitor does not have`,
    };
  }
  if (status >= 500) {
    return { status, ok: false, message: `the workflow failed or n8n erred on the replay (${where} → HTTP ${status}${detail})` };
  }
  return { status, ok: false, message: `n8n refused the replay (${where} → HTTP ${status}${detail})` };
}
