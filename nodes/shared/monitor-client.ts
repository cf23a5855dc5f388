/**
 * Talks to the Handoff Guard monitor with the node's "Handoff Monitor API" credential.
 * Transient trouble (network errors, 5xx, 429) is retried with a short backoff through n8n's
 * `sleep`, honouring the execution's cancel signal; a 4xx is the caller's mistake and is never retried.
 *
 * Requests go through Node's own fetch, not n8n's request helper: the helper builds a new HTTP agent
 * (a new connection) and loads the credential again for every request, which cost about as much as a
 * whole HTTP Request node on each of the four monitor calls of a kickoff (issue 17). fetch keeps
 * connections to the monitor open between calls and executions. n8n's egress rules still apply
 * (the URL is checked with n8n's egress filter before each request).
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, ILoadOptionsFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import { redactString } from '../../protocol/redact';

export const MONITOR_CREDENTIAL = 'handoffMonitorApi';

/** Three tries over ~0.75 s: long enough to ride out a monitor restart's socket reset, short enough
 * that a flow does not hang when the monitor is really gone (the node then fails loudly). */
export const DEFAULT_MONITOR_ATTEMPTS = 3;
const BASE_DELAY_MS = 250;
/** A claim batch of 10,000 keys takes ~0.1 s; 30 s means the monitor is stuck, not slow. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The monitor answered, but refused the request (bad token, unknown handoff, invalid body). */
export class MonitorRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MonitorRejectedError';
  }
}

/** The monitor could not be reached (or kept failing) after every attempt. */
export class MonitorUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly attempts: number,
    readonly lastProblem: string,
  ) {
    super(`The Handoff Guard monitor at ${url} did not answer after ${attempts} attempt(s): ${lastProblem}`);
    this.name = 'MonitorUnreachableError';
  }
}

type Context = IExecuteFunctions | ILoadOptionsFunctions;

export async function monitorBaseUrl(ctx: Context): Promise<string> {
  return (await monitorCredential(ctx)).baseUrl;
}

/** The credential, loaded once per call (n8n reads and decrypts it from its database each time). */
async function monitorCredential(ctx: Context): Promise<{ baseUrl: string; token: string }> {
  const credentials = await ctx.getCredentials<{ url?: string; token?: string }>(MONITOR_CREDENTIAL);
  const baseUrl = String(credentials.url ?? '')
    .trim()
    .replace(/\/+$/, '');
  if (!/^https?:\/\//i.test(baseUrl)) {
    throw new MonitorRejectedError(
      0,
      'bad_credential',
      `The Handoff Monitor API credential's URL "${baseUrl}" is not an http(s) URL; set it to e.g. http://127.0.0.1:5680`,
    );
  }
  return { baseUrl, token: String(credentials.token ?? '') };
}

interface MonitorAnswer {
  status: number;
  location?: string;
  body: unknown;
}

export async function callMonitor<T>(
  ctx: Context,
  request: { method: IHttpRequestMethods; path: string; body?: IDataObject | IDataObject[] },
  opts: { attempts?: number } = {},
): Promise<T> {
  const { baseUrl, token } = await monitorCredential(ctx);
  const url = `${baseUrl}${request.path}`;
  await checkEgress(ctx, baseUrl, url);
  const attempts = Math.max(1, opts.attempts ?? DEFAULT_MONITOR_ATTEMPTS);
  const signal = 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal() : undefined;
  let lastProblem = 'no attempt made';

  for (let attempt = 1; attempt <= attempts; attempt++) {
    let response: MonitorAnswer | undefined;
    try {
      response = await send(url, request.method, token, request.body, signal);
    } catch (err) {
      lastProblem = describeNetworkError(err);
    }
    if (response) {
      const status = response.status;
      if (status >= 200 && status < 300) return response.body as T;
      if (status >= 300 && status < 400) throw redirected(baseUrl, url, request, status, response.location);
      const body = response.body as { error?: { code?: string; message?: string } } | undefined;
      const message = body?.error?.message ?? `HTTP ${status}`;
      if (status >= 400 && status < 500 && status !== 429) {
        throw new MonitorRejectedError(status, body?.error?.code ?? 'rejected', message);
      }
      lastProblem = `HTTP ${status}: ${message}`;
    }
    if (attempt < attempts) await sleep(BASE_DELAY_MS * 2 ** (attempt - 1), signal);
    if (signal?.aborted) break;
  }
  throw new MonitorUnreachableError(baseUrl, attempts, lastProblem);
}

/**
 * One request. The token goes in the header the credential declares (`Bearer <token>`); a redirect
 * is returned, never followed, so the token never travels to wherever it points.
 */
async function send(
  url: string,
  method: IHttpRequestMethods,
  token: string,
  body: unknown,
  cancel: AbortSignal | undefined,
): Promise<MonitorAnswer> {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const response = await fetch(url, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
    signal: cancel ? AbortSignal.any([cancel, timeout]) : timeout,
  });
  const text = await response.text();
  return { status: response.status, location: response.headers.get('location') ?? undefined, body: parseJson(text) };
}

/** The monitor always answers JSON; anything else (a proxy's error page) is kept as text. */
function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * n8n's egress rules (SSRF protection, allowed hosts) apply to the monitor's URL as to any request a
 * node makes; without rules configured the filter lets everything through at no cost.
 */
async function checkEgress(ctx: Context, baseUrl: string, url: string): Promise<void> {
  const filter = ctx.helpers.getSecureEgressFilter?.();
  if (!filter) return;
  const checked = await filter.validateUrl(url);
  if (!checked.ok) {
    throw new MonitorRejectedError(
      0,
      'egress_blocked',
      `n8n's egress rules do not allow requests to the Handoff Guard monitor at ${baseUrl}: ${checked.error.message}`,
    );
  }
}

/**
 * A redirect is an answer, not a blip: it is never retried or followed. The message names where it
 * pointed and, when the same API path sits under another address, the URL to put in the credential.
 */
function redirected(
  baseUrl: string,
  url: string,
  request: { method: string; path: string },
  status: number,
  location: unknown,
): MonitorRejectedError {
  const raw = Array.isArray(location) ? location[0] : location;
  let target: URL | undefined;
  try {
    target = typeof raw === 'string' && raw ? new URL(raw, url) : undefined;
  } catch {
    target = undefined;
  }
  const where = target ? redactString(target.href) : 'an address it did not give';
  const path = request.path.split('?')[0];
  const suggested =
    target && target.pathname.endsWith(path)
      ? `${target.origin}${target.pathname.slice(0, target.pathname.length - path.length)}`
      : undefined;
  return new MonitorRejectedError(
    status,
    'redirected',
    `The Handoff Guard monitor at ${baseUrl} answered ${request.method} ${path} with a redirect (HTTP ${status}) to ${where}; ` +
      "the node does not follow redirects with the monitor token. Set the Handoff Monitor API credential's URL to the monitor's own address" +
      (suggested && suggested !== baseUrl ? ` (${redactString(suggested)}?)` : ''),
  );
}

/**
 * Network failures in words. The raw code (ECONNREFUSED…) is deliberately left out: n8n rewrites
 * any error message containing one into a generic sentence that would hide which service failed.
 */
const NETWORK_PROBLEMS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the monitor running on that port?)',
  ENOTFOUND: 'host not found (check the URL in the credential)',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  ECONNABORTED: 'timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
};

function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; name?: string; cause?: { code?: string }; message?: string };
  const code = e?.cause?.code ?? e?.code;
  if (code && NETWORK_PROBLEMS[code]) return NETWORK_PROBLEMS[code];
  if (e?.name === 'TimeoutError') return 'timed out';
  if (e?.name === 'AbortError') return 'cancelled';
  return e?.message ?? String(err);
}
