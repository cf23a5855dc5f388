/**
 * The monitor's configuration: every environment variable is parsed here, once, with zod.
 * Only `main` (the CLI) passes `process.env` in; everything else receives the typed `MonitorConfig`.
 */
import { readFileSync } from 'fs';
import { z } from 'zod';
import { LEDGER_LIMITS } from '../../../protocol/ledger';
import { DURATION_HINT, parseDuration } from '../util/duration';
import { parseTrustProxy, type TrustProxy } from './trust-proxy';

/**
 * A duration with bounds: below `min` a timer spins (1ms polled n8n a thousand times a second),
 * above `max` it is surely a typo (and past ~24.8 days Node's timers overflow and fire every ms).
 */
const duration = (fallback: string, bounds: { min: string; max: string; why: string; zeroTurnsOff?: boolean }) =>
  z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const ms = parseDuration(raw);
      // `0` is a switch, not a duration, where the setting says so (HANDOFF_ALERT_GROUP_WINDOW=0: no grouping).
      if (ms === 0 && bounds.zeroTurnsOff) return 0;
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${raw}" is not a duration; ${DURATION_HINT}` });
        return z.NEVER;
      }
      const min = parseDuration(bounds.min)!;
      const max = parseDuration(bounds.max)!;
      if (ms < min || ms > max) {
        ctx.addIssue({
          code: 'custom',
          message: `is too ${ms < min ? 'short' : 'long'}: use a duration from ${bounds.min} to ${bounds.max}${bounds.zeroTurnsOff ? ' or 0 (off)' : ''} (${bounds.why}); the default is ${fallback}`,
        });
        return z.NEVER;
      }
      return ms;
    });

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'use true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

const url = z.url({ protocol: /^https?$/, message: 'must be a full http(s) URL such as http://127.0.0.1:5678' }).optional();

/** Token rules: long enough that guessing is hopeless; printable so it fits in a header. */
const token = z
  .string({ message: 'is required: set it to a long random secret, e.g. `openssl rand -hex 24`' })
  .min(16, { message: 'is too short: use at least 16 characters, e.g. `openssl rand -hex 24`' })
  .regex(/^[\x21-\x7e]+$/, { message: 'may only hold printable ASCII without spaces' });

export const envSchema = z.object({
  HANDOFF_MONITOR_HOST: z.string().min(1).default('127.0.0.1'),
  HANDOFF_MONITOR_PORT: z.coerce
    .number({ message: 'must be a port number' })
    .int({ message: 'must be a whole number' })
    .min(0, { message: 'must be between 0 and 65535' })
    .max(65_535, { message: 'must be between 0 and 65535' })
    .default(5680),
  HANDOFF_MONITOR_DB: z.string().min(1).default('handoff-monitor.db'),
  HANDOFF_MONITOR_TOKEN: token,
  HANDOFF_CONTRACTS: z.string().min(1).optional(),
  N8N_BASE_URL: url,
  N8N_API_KEY: z.string().min(1).optional(),
  HANDOFF_POLL_INTERVAL: duration('5s', { min: '100ms', max: '1h', why: 'how often n8n is polled and the detectors and the outbox run' }),
  HANDOFF_ALERT_WEBHOOK_URL: url,
  HANDOFF_DASHBOARD_URL: url,
  HANDOFF_ALERT_FORMAT: z
    .enum(['slack', 'json'], { message: 'use slack (Slack-compatible {text, blocks}) or json (the whole incident)' })
    .default('slack'),
  HANDOFF_ALERT_GROUP_WINDOW: duration('60s', {
    min: '1s',
    max: '1h',
    why: 'how long further alerts of one handoff, owner and kind are held to go out as one digest',
    zeroTurnsOff: true,
  }),
  HANDOFF_RETENTION: duration('30d', {
    min: '1h',
    max: '3650d',
    why: 'how long a completed key still answers duplicate (and its handoff outcome is kept)',
  }),
  HANDOFF_DEFAULT_LEASE: duration('15m', {
    min: `${LEDGER_LIMITS.minLeaseSeconds}s`,
    max: `${LEDGER_LIMITS.maxLeaseSeconds / 86_400}d`,
    why: 'the lease a claim may ask for',
  }),
  HANDOFF_DASHBOARD_PUBLIC: bool(false),
  HANDOFF_METRICS_PUBLIC: bool(false),
  HANDOFF_COLLECTOR_BACKFILL: duration('7d', { min: '1m', max: '90d', why: "how far back the first poll reads n8n's executions" }),
  // Retention (purged hourly, in small batches). The floors keep what the pages read: the Monday
  // check traces last week's completions and lists the last 48 hours' incidents.
  HANDOFF_RETENTION_EVENTS: duration('30d', {
    min: '7d',
    max: '3650d',
    why: "how long a handoff's checkpoints (its trace) are kept; the Monday check traces the last week",
  }),
  HANDOFF_RETENTION_EXECUTIONS: duration('30d', {
    min: '1d',
    max: '3650d',
    why: 'how long finished n8n runs are kept; counts and windows do not need them',
  }),
  HANDOFF_RETENTION_INCIDENTS: duration('90d', {
    min: '7d',
    max: '3650d',
    why: 'how long resolved incidents are kept after their resolution',
  }),
  HANDOFF_RETENTION_ALERTS: duration('30d', { min: '1d', max: '3650d', why: 'how long delivered alerts are kept after sending' }),
  HANDOFF_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HANDOFF_TRUST_PROXY: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const parsed = parseTrustProxy(raw);
      if (parsed.problem === undefined) return parsed.value;
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }),
});

export interface MonitorConfig {
  host: string;
  port: number;
  db: string;
  token: string;
  /** Contract file; `contractsExplicit` says whether the user named it (then it must exist). */
  contracts: string;
  contractsExplicit: boolean;
  n8n?: { baseUrl: string; apiKey: string };
  pollIntervalMs: number;
  alertWebhookUrl?: string;
  /** Body shape for the alert webhook: Slack-compatible `{text, blocks}` or generic JSON. */
  alertFormat: 'slack' | 'json';
  /** HANDOFF_ALERT_GROUP_WINDOW: further alerts of a group within this of its last message go as one digest; 0 = off. */
  alertGroupWindowMs: number;
  /** The dashboard as people open it (behind a proxy, its public address): alerts link to incident pages. */
  dashboardUrl?: string;
  retentionMs: number;
  defaultLeaseMs: number;
  dashboardPublic: boolean;
  /** GET /metrics without the bearer token (for scrapers on a trusted network). */
  metricsPublic: boolean;
  /** How far back the collector's first poll reads n8n's executions (default 7d, the longest window). */
  collectorBackfillMs: number;
  /** How long history is kept before the hourly purge (retention/purge.ts) deletes it. */
  retention: { eventsMs: number; executionsMs: number; incidentsMs: number; alertsMs: number };
  logLevel: string;
  /** HANDOFF_TRUST_PROXY: the reverse proxy whose X-Forwarded-Proto/Host name the origin browsers use (express's `trust proxy`). */
  trustProxy: TrustProxy;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Variables that hold secrets: their values never appear in an error message. */
// A Slack webhook URL is itself a credential: anyone holding it can post to the channel.
const SECRET_VARIABLES = new Set(['HANDOFF_MONITOR_TOKEN', 'N8N_API_KEY', 'HANDOFF_ALERT_WEBHOOK_URL']);

/**
 * Secrets may come from files (Docker and Kubernetes secrets, systemd credentials): `<VAR>_FILE`
 * names a file whose content is the value, trailing newlines trimmed. HANDOFF_MONITOR_DB is here for
 * a postgres:// URL with a password in it.
 */
export const FILE_VARIABLES = ['HANDOFF_MONITOR_TOKEN', 'N8N_API_KEY', 'HANDOFF_ALERT_WEBHOOK_URL', 'HANDOFF_MONITOR_DB'] as const;

/**
 * The environment with every `<VAR>_FILE` read into `<VAR>`; `problems` names each variable that
 * could not be resolved (both set, an unreadable or empty file). The file's content is never shown.
 */
export function readSecretFiles(
  env: NodeJS.ProcessEnv,
  read: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): { env: NodeJS.ProcessEnv; problems: string[]; failed: Set<string> } {
  const out: NodeJS.ProcessEnv = { ...env };
  const problems: string[] = [];
  const failed = new Set<string>();
  for (const name of FILE_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === '') continue;
    const fail = (problem: string) => {
      problems.push(problem);
      failed.add(name);
    };
    if (env[name] !== undefined && env[name] !== '') {
      fail(
        `${name} and ${name}_FILE are both set: keep one (${name}_FILE names a file that holds the value, e.g. a Docker or systemd secret)`,
      );
      continue;
    }
    let content: string;
    try {
      content = read(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'EISDIR'
              ? 'it is a folder'
              : ((err as Error).message ?? String(err));
      fail(`${name}_FILE (got "${file}") cannot be read (${why}): point it at a file this user can read that holds ${name}`);
      continue;
    }
    const value = content.replace(/(\r?\n)+$/, '');
    if (value === '') {
      fail(`${name}_FILE (got "${file}") names an empty file: put the value of ${name} in it`);
      continue;
    }
    out[name] = value;
  }
  return { env: out, problems, failed };
}

/** Parses the environment; throws a ConfigError that names each bad variable, its value and the fix. */
export function loadConfig(rawEnv: NodeJS.ProcessEnv, opts: { requireToken?: boolean } = {}): MonitorConfig {
  const files = readSecretFiles(rawEnv);
  const env = files.env;
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    input[key] = value === '' ? undefined : value;
  }
  if (opts.requireToken === false && input.HANDOFF_MONITOR_TOKEN === undefined) {
    input.HANDOFF_MONITOR_TOKEN = 'not-needed-for-this-command';
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success || files.problems.length) {
    const problems = [
      ...files.problems,
      // A variable whose file failed has no value: "is required" would only repeat the problem.
      ...(parsed.error?.issues ?? [])
        .filter((issue) => !files.failed.has(String(issue.path[0])))
        .map((issue) => {
          const name = String(issue.path[0]);
          const raw = input[name];
          const fromFile = rawEnv[`${name}_FILE`] ? ` (read from ${name}_FILE)` : '';
          const shown = raw === undefined ? '' : SECRET_VARIABLES.has(name) ? ` (value hidden)${fromFile}` : ` (got "${raw}")${fromFile}`;
          return `${name}${shown} ${issue.message}`;
        }),
    ];
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (Boolean(e.N8N_BASE_URL) !== Boolean(e.N8N_API_KEY)) {
    problems.push('N8N_BASE_URL and N8N_API_KEY go together: set both to collect executions from n8n, or neither to run the ledger alone');
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    host: e.HANDOFF_MONITOR_HOST,
    port: e.HANDOFF_MONITOR_PORT,
    db: e.HANDOFF_MONITOR_DB,
    token: e.HANDOFF_MONITOR_TOKEN,
    contracts: e.HANDOFF_CONTRACTS ?? 'handoffs.yaml',
    contractsExplicit: e.HANDOFF_CONTRACTS !== undefined,
    n8n: e.N8N_BASE_URL && e.N8N_API_KEY ? { baseUrl: e.N8N_BASE_URL.replace(/\/+$/, ''), apiKey: e.N8N_API_KEY } : undefined,
    pollIntervalMs: e.HANDOFF_POLL_INTERVAL,
    alertWebhookUrl: e.HANDOFF_ALERT_WEBHOOK_URL,
    alertFormat: e.HANDOFF_ALERT_FORMAT,
    alertGroupWindowMs: e.HANDOFF_ALERT_GROUP_WINDOW,
    dashboardUrl: e.HANDOFF_DASHBOARD_URL?.replace(/\/+$/, ''),
    retentionMs: e.HANDOFF_RETENTION,
    defaultLeaseMs: e.HANDOFF_DEFAULT_LEASE,
    dashboardPublic: e.HANDOFF_DASHBOARD_PUBLIC,
    metricsPublic: e.HANDOFF_METRICS_PUBLIC,
    collectorBackfillMs: e.HANDOFF_COLLECTOR_BACKFILL,
    retention: {
      eventsMs: e.HANDOFF_RETENTION_EVENTS,
      executionsMs: e.HANDOFF_RETENTION_EXECUTIONS,
      incidentsMs: e.HANDOFF_RETENTION_INCIDENTS,
      alertsMs: e.HANDOFF_RETENTION_ALERTS,
    },
    logLevel: e.HANDOFF_LOG_LEVEL,
    trustProxy: e.HANDOFF_TRUST_PROXY,
  };
}
