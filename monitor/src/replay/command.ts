/**
 * `handoff-monitor replay`: what the command asks the running monitor, and how it reports the answer.
 * Pure (options and environment in; request, text and exit code out); cli.ts does the I/O and exits.
 *
 * Exported API (stable):
 *   parseReplayCommand(opts: ReplayCommandOptions, env, osUser?) → { ok: true, request: ReplayCommandRequest } | { ok: false, message }
 *   defaultMonitorUrl(env) → string
 *   renderReplayAnswer(request, answer: MonitorAnswer) → { exitCode, stdout, stderr }
 *   REPLAY_EXIT = { ok: 0, failed: 1, usage: 2 }
 *
 * Exit codes, so a script can branch: 0 every replay recovered (or nothing was to run, or a dry
 * run); 1 something failed again, errored, was refused, or the run stopped; 2 the command was
 * used wrongly or the monitor could not be asked (unreachable, wrong token, refused request).
 */
import { INCIDENT_LIMITS } from '../../../protocol/incidents';
import {
  apiErrorSchema,
  incidentReplayResponseSchema,
  REPLAY_PATHS,
  replaysResponseSchema,
  type ReplayPlanned,
  type ReplayResultWire,
  type IncidentReplayRequest,
  type ReplaysRequest,
} from './protocol';

export const REPLAY_EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export const REPLAY_FORMATS = ['text', 'json'] as const;
export type ReplayFormat = (typeof REPLAY_FORMATS)[number];

/** As commander hands them over. */
export interface ReplayCommandOptions {
  handoff?: string;
  kind?: string;
  key?: string[];
  incident?: string;
  concurrency?: string;
  dryRun?: boolean;
  url?: string;
  format?: string;
  /** Who asks, recorded with the replay; cli.ts passes the OS user name as `osUser` for when it is left out. */
  by?: string;
}

export interface ReplayCommandRequest {
  /** Monitor base URL, no trailing slash. */
  baseUrl: string;
  token: string;
  path: string;
  body: ReplaysRequest | IncidentReplayRequest;
  target: 'replays' | 'incident';
  dryRun: boolean;
  format: ReplayFormat;
  /** For messages: the handoff or "incident N". */
  subject: string;
}

/** What came back: a response, or no response at all. */
export type MonitorAnswer =
  | { kind: 'response'; status: number; body: unknown }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'timeout'; afterMs: number };

export interface RenderedAnswer {
  exitCode: number;
  stdout: string;
  stderr: string;
}

type Env = Record<string, string | undefined>;

/** Where `handoff-monitor serve` listens by the same environment: HANDOFF_MONITOR_HOST / _PORT. */
export function defaultMonitorUrl(env: Env): string {
  let host = env.HANDOFF_MONITOR_HOST?.trim() || '127.0.0.1';
  // A monitor bound to every address is reached on loopback.
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  const port = env.HANDOFF_MONITOR_PORT?.trim() || '5680';
  return `http://${host}:${port}`;
}

const fail = (message: string) => ({ ok: false as const, message });

/**
 * `osUser`: the name of the OS user running the command, asked for when --by is left out (the monitor
 * records who replayed; a replay with no name says only that it came through the API).
 */
export function parseReplayCommand(
  opts: ReplayCommandOptions,
  env: Env,
  osUser?: string,
): { ok: true; request: ReplayCommandRequest } | { ok: false; message: string } {
  const format = opts.format ?? 'text';
  if (!(REPLAY_FORMATS as readonly string[]).includes(format)) return fail(`--format "${format}" is not a format; use text or json`);

  let by: string | undefined;
  if (opts.by !== undefined) {
    by = opts.by.replace(/\s+/g, ' ').trim();
    if (!by) return fail('--by needs a name: who asks for the replay (it defaults to your OS user name)');
    if (by.length > INCIDENT_LIMITS.maxActorLength) return fail(`--by must be at most ${INCIDENT_LIMITS.maxActorLength} characters`);
  } else {
    // A name the OS gives is only a default: one the monitor would refuse is left out, never an error.
    const user = osUser?.replace(/\s+/g, ' ').trim();
    if (user && user.length <= INCIDENT_LIMITS.maxActorLength) by = user;
  }
  const asker = by ? { by } : {};

  const token = env.HANDOFF_MONITOR_TOKEN?.trim();
  if (!token) return fail('HANDOFF_MONITOR_TOKEN is not set: set it to the token the monitor was started with');

  let baseUrl: string;
  if (opts.url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(opts.url);
    } catch {
      return fail(`--url "${opts.url}" is not a URL; give the monitor's address, e.g. http://127.0.0.1:5680`);
    }
    if (!/^https?:$/.test(parsed.protocol)) return fail(`--url "${opts.url}" must be an http(s) URL, e.g. http://127.0.0.1:5680`);
    baseUrl = `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
  } else {
    const port = env.HANDOFF_MONITOR_PORT?.trim();
    if (port !== undefined && port !== '' && (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65_535)) {
      return fail(
        `HANDOFF_MONITOR_PORT (got "${port}") is not a port the monitor can be reached on; pass --url with the monitor's address`,
      );
    }
    baseUrl = defaultMonitorUrl(env);
  }

  const dryRun = opts.dryRun === true;
  if (opts.incident !== undefined) {
    const id = opts.incident.trim();
    if (!/^\d+$/.test(id) || Number(id) < 1)
      return fail(`--incident "${opts.incident}" is not an incident id (a whole number, as the dashboard shows it)`);
    const extra = (['handoff', 'kind', 'key', 'concurrency'] as const).filter((o) => opts[o] !== undefined).map((o) => `--${o}`);
    if (extra.length) return fail(`--incident replays that incident's one key; leave out ${extra.join(', ')}`);
    return {
      ok: true,
      request: {
        baseUrl,
        token,
        path: REPLAY_PATHS.incidentReplay(Number(id)),
        body: dryRun ? { dryRun: true, ...asker } : { ...asker },
        target: 'incident',
        dryRun,
        format: format as ReplayFormat,
        subject: `incident ${id}`,
      },
    };
  }

  const handoff = opts.handoff?.trim();
  if (!handoff) return fail('replay needs --handoff <id> (the handoff whose failed keys to replay) or --incident <id>');
  const body: ReplaysRequest = { handoff, ...asker };
  if (opts.kind !== undefined) {
    if (!opts.kind.trim()) return fail('--kind needs a failure kind, e.g. request_failed');
    body.kind = opts.kind.trim();
  }
  if (opts.key !== undefined) {
    const keys = [...new Set(opts.key.map((k) => k.trim()).filter(Boolean))];
    if (keys.length === 0) return fail('--key needs at least one key');
    body.keys = keys;
  }
  if (opts.concurrency !== undefined) {
    const n = opts.concurrency.trim();
    if (!/^\d+$/.test(n) || Number(n) < 1) return fail(`--concurrency "${opts.concurrency}" must be a whole number of at least 1`);
    body.concurrency = Number(n);
  }
  if (dryRun) body.dryRun = true;
  return {
    ok: true,
    request: {
      baseUrl,
      token,
      path: REPLAY_PATHS.replays,
      body,
      target: 'replays',
      dryRun,
      format: format as ReplayFormat,
      subject: handoff,
    },
  };
}

/** Text from the monitor (which may quote n8n or a target system) printed without control characters. */
const clean = (s: unknown): string =>
  String(s ?? '')
    // eslint-disable-next-line no-control-regex -- control characters are what this strips or refuses
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .trim();

const OUTCOME_LABEL: Record<ReplayResultWire['outcome'], string> = {
  recovered: 'recovered',
  failed_again: 'FAILED AGAIN',
  refused: 'refused',
  error: 'ERROR',
  skipped: 'skipped',
};

function ownerName(owner: unknown): string | undefined {
  if (typeof owner === 'string') return clean(owner) || undefined;
  if (owner && typeof owner === 'object' && typeof (owner as { name?: unknown }).name === 'string')
    return clean((owner as { name: string }).name) || undefined;
  return undefined;
}

function when(at: unknown): string | undefined {
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
}

function plannedLines(planned: ReplayPlanned[]): string[] {
  const width = Math.max(0, ...planned.map((p) => clean(p.key).length));
  return planned.map((p) => {
    const parts = [clean(p.key).padEnd(width), clean(p.handoff)];
    if (p.kind) parts.push(clean(p.kind));
    const owner = ownerName(p.owner);
    if (owner) parts.push(`owner ${owner}`);
    const failed = when(p.failedAt);
    if (failed) parts.push(`failed ${failed}`);
    if (p.incident) parts.push(`incident #${clean(p.incident.id)}${p.incident.title ? ` ${clean(p.incident.title)}` : ''}`);
    return `  ${parts.join('  ')}`;
  });
}

function resultLines(results: ReplayResultWire[]): string[] {
  const keyWidth = Math.max(0, ...results.map((r) => clean(r.key).length));
  return results.map((r) => `  ${OUTCOME_LABEL[r.outcome].padEnd(12)}  ${clean(r.key).padEnd(keyWidth)}  ${clean(r.message)}`.trimEnd());
}

function total(results: ReplayResultWire[]): string {
  const order: Array<ReplayResultWire['outcome']> = ['recovered', 'failed_again', 'refused', 'error', 'skipped'];
  const counts = order
    .map((o) => [o, results.filter((r) => r.outcome === o).length] as const)
    .filter(([, n]) => n > 0)
    .map(([o, n]) => `${n} ${o.replace('_', ' ')}`);
  return `Total: ${results.length} key(s): ${counts.join(', ')}.`;
}

const exitFor = (results: ReplayResultWire[], stopped: unknown) =>
  stopped || results.some((r) => r.outcome !== 'recovered') ? REPLAY_EXIT.failed : REPLAY_EXIT.ok;

const json = (body: unknown) => `${JSON.stringify(body, null, 2)}\n`;

function renderPlanned(request: ReplayCommandRequest, planned: ReplayPlanned[]): string {
  if (planned.length === 0) return `Dry run: nothing to replay for ${request.subject}; no failed key waits in the exception queue.\n`;
  return (
    [
      `Dry run: ${planned.length} key(s) would be replayed for ${request.subject} (nothing was sent):`,
      ...plannedLines(planned),
      `Total: ${planned.length} key(s) would be replayed. Run again without --dry-run to replay them.`,
    ].join('\n') + '\n'
  );
}

export function renderReplayAnswer(request: ReplayCommandRequest, answer: MonitorAnswer): RenderedAnswer {
  const at = request.baseUrl;
  if (answer.kind === 'unreachable') {
    return {
      exitCode: REPLAY_EXIT.usage,
      stdout: '',
      stderr: `handoff-monitor replay: could not reach the monitor at ${at} (${clean(answer.reason)}). Start it with \`handoff-monitor serve\`, or point --url (or HANDOFF_MONITOR_HOST / HANDOFF_MONITOR_PORT) at the running monitor.\n`,
    };
  }
  if (answer.kind === 'timeout') {
    return {
      exitCode: REPLAY_EXIT.failed,
      stdout: '',
      stderr: `handoff-monitor replay: the monitor at ${at} did not answer within ${Math.round(answer.afterMs / 1000)}s; replays may still be running — check the dashboard before running this again.\n`,
    };
  }

  const { status, body } = answer;
  if (status < 200 || status >= 300) {
    const said = apiErrorSchema.safeParse(body);
    const message = said.success ? clean(said.data.error.message) : `HTTP ${status}`;
    if (status === 401 || status === 403) {
      return {
        exitCode: REPLAY_EXIT.usage,
        stdout: '',
        stderr: `handoff-monitor replay: the monitor at ${at} refused the token (HTTP ${status}: ${message}); set HANDOFF_MONITOR_TOKEN to the token it was started with.\n`,
      };
    }
    if (status < 500)
      return {
        exitCode: REPLAY_EXIT.usage,
        stdout: '',
        stderr: `handoff-monitor replay: the monitor at ${at} refused the request (HTTP ${status}): ${message}\n`,
      };
    return {
      exitCode: REPLAY_EXIT.failed,
      stdout: '',
      stderr: `handoff-monitor replay: the monitor at ${at} failed (HTTP ${status}): ${message}\n`,
    };
  }

  const unexpected = (what: string): RenderedAnswer => ({
    exitCode: REPLAY_EXIT.failed,
    stdout: '',
    stderr: `handoff-monitor replay: the monitor at ${at} answered ${request.path} with an unexpected body (${what}); is it the same version as this command?\n`,
  });

  if (request.target === 'incident') {
    const parsed = incidentReplayResponseSchema.safeParse(body);
    if (!parsed.success) return unexpected(`${parsed.error.issues[0]?.path.join('.') || '(body)'} ${parsed.error.issues[0]?.message}`);
    const data = parsed.data;
    if ('planned' in data) {
      return {
        exitCode: REPLAY_EXIT.ok,
        stdout: request.format === 'json' ? json(body) : renderPlanned(request, data.planned),
        stderr: '',
      };
    }
    const results = [data.result];
    const text = [`Replay of ${request.subject}:`, ...resultLines(results), total(results)].join('\n') + '\n';
    return { exitCode: exitFor(results, undefined), stdout: request.format === 'json' ? json(body) : text, stderr: '' };
  }

  const parsed = replaysResponseSchema.safeParse(body);
  if (!parsed.success) return unexpected(`${parsed.error.issues[0]?.path.join('.') || '(body)'} ${parsed.error.issues[0]?.message}`);
  const data = parsed.data;
  if (data.dryRun) {
    return { exitCode: REPLAY_EXIT.ok, stdout: request.format === 'json' ? json(body) : renderPlanned(request, data.planned), stderr: '' };
  }
  const exitCode = exitFor(data.results, data.stopped);
  if (request.format === 'json') return { exitCode, stdout: json(body), stderr: '' };
  if (data.results.length === 0) {
    return { exitCode, stdout: `Nothing to replay for ${request.subject}: no failed key waits in the exception queue.\n`, stderr: '' };
  }
  const lines = [`Replayed ${request.subject}:`, ...resultLines(data.results)];
  if (data.stopped) lines.push(`Stopped after ${clean(data.stopped.key)}: ${clean(data.stopped.reason)}`);
  lines.push(total(data.results));
  return { exitCode, stdout: `${lines.join('\n')}\n`, stderr: '' };
}
