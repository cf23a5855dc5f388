/**
 * `handoff-monitor`: the only place that reads process.env, listens for signals or exits.
 */
import { Command, CommanderError } from 'commander';
import { writeFileSync } from 'fs';
import { userInfo } from 'os';
import { AUDIT_EXIT, FAIL_ON, parseAuditOptions, runAuditCommand, type AuditCommandOptions } from './audit/command';
import { AUDIT_FORMATS } from './audit/format';
import { createN8nClient } from './collector/n8n-client';
import { ConfigError, loadConfig, readSecretFiles } from './config/env';
import { ContractError } from './contract/load';
import { createContractStore } from './contract/store';
import { REPORT_FORMATS, type ReportFormat } from './report/format';
import { mondayReport } from './report/run';
import { askMonitor } from './replay/ask-monitor';
import { parseReplayCommand, renderReplayAnswer, REPLAY_EXIT, type ReplayCommandOptions } from './replay/command';
import { startMonitor } from './server';
import { isPostgresLocation } from './store';
import { backupSqlite, BackupRefused } from './store/sqlite/backup';
import { formatDuration } from './util/duration';
import { createLogger } from './util/logger';

const ENVIRONMENT_HELP = `
Configuration (environment variables):
  HANDOFF_MONITOR_TOKEN      bearer token for the API (required for serve; 16+ characters)
  HANDOFF_MONITOR_HOST       address to bind (default 127.0.0.1)
  HANDOFF_MONITOR_PORT       port (default 5680)
  HANDOFF_MONITOR_DB         SQLite file (default handoff-monitor.db) or a postgres:// URL
  HANDOFF_CONTRACTS          handoff contract YAML (default handoffs.yaml, optional)
  N8N_BASE_URL, N8N_API_KEY  n8n to collect executions from (optional, set both)
  HANDOFF_POLL_INTERVAL      collector poll interval and stall detector tick (default 5s)
  HANDOFF_COLLECTOR_BACKFILL how far back the first poll reads n8n's executions (default 7d)
  HANDOFF_METRICS_PUBLIC     true: GET /metrics without the token (trusted network only; default false)
  HANDOFF_DASHBOARD_PUBLIC   true: the dashboard's read-only pages without signing in (trusted network only; default false)
  HANDOFF_TRUST_PROXY        the reverse proxy in front (TLS): its hop count (1) or addresses (loopback, 10.0.0.0/8); default none
  HANDOFF_ALERT_WEBHOOK_URL  webhook that receives incident alerts (optional; kept secret)
  HANDOFF_ALERT_FORMAT       slack ({text, blocks}, default) or json (the whole incident)
  HANDOFF_ALERT_GROUP_WINDOW  further alerts of one handoff, owner and kind go as one digest this long after the first (default 60s, 1s–1h; 0 = off)
  HANDOFF_RETENTION          how long completed keys (and their outcomes) are kept (default 30d)
  HANDOFF_RETENTION_EVENTS   how long checkpoints (traces) are kept (default 30d, 7d–3650d)
  HANDOFF_RETENTION_EXECUTIONS  how long finished n8n runs are kept (default 30d, 1d–3650d)
  HANDOFF_RETENTION_INCIDENTS   how long resolved incidents (and outcomes closed by hand) are kept (default 90d, 7d–3650d)
  HANDOFF_RETENTION_ALERTS   how long delivered alerts are kept (default 30d, 1d–3650d)
  HANDOFF_DEFAULT_LEASE      claim lease when the contract names none (default 15m)
  HANDOFF_LOG_LEVEL          fatal|error|warn|info|debug|trace|silent (default info)

Secrets from files: HANDOFF_MONITOR_TOKEN_FILE, N8N_API_KEY_FILE, HANDOFF_ALERT_WEBHOOK_URL_FILE and
HANDOFF_MONITOR_DB_FILE name a file holding the value (trailing newline trimmed); set one or the
other, not both.

replay talks to the running monitor: it reads HANDOFF_MONITOR_TOKEN and, without --url,
HANDOFF_MONITOR_HOST and HANDOFF_MONITOR_PORT. Exit codes: 0 every replay recovered (or nothing
to run, or --dry-run), 1 a replay failed again, errored or was refused, or the run stopped,
2 bad usage or the monitor could not be asked.
`;

function fail(err: unknown): never {
  if (err instanceof ConfigError || err instanceof ContractError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`handoff-monitor: ${(err as Error)?.message ?? String(err)}\n`);
  }
  process.exit(1);
}

async function serve(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const monitor = await startMonitor(config, { logger });

  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading the contract');
    monitor.contracts.reload();
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // A stuck request must not keep the process alive forever after SIGTERM.
    setTimeout(() => {
      logger.error('graceful shutdown took longer than 10s; exiting');
      process.exit(1);
    }, 10_000).unref();
    monitor.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function check(): void {
  const config = loadConfig(process.env, { requireToken: false });
  const logger = createLogger('silent');
  const contracts = createContractStore({ file: config.contracts, required: config.contractsExplicit, logger });
  const contract = contracts.current();
  const lines = [
    'Configuration is valid.',
    `  listen:   ${config.host}:${config.port}`,
    `  store:    ${/^postgres/i.test(config.db) ? 'postgres' : `sqlite (${config.db})`}`,
    `  n8n:      ${config.n8n ? config.n8n.baseUrl : 'not configured (the collector stays off)'}`,
    `  contract: ${contracts.status().source === 'file' ? `${config.contracts}: ${contract.handoffs.length} handoff(s), ${Object.keys(contract.systems).length} system(s)` : `${config.contracts} not found (no contract: any handoff id is accepted)`}`,
    ...contract.handoffs.map(
      (h) =>
        `    - ${h.id}: owner ${h.owner.name}, completion SLA ${formatDuration(h.completionSla)}, exception SLA ${formatDuration(h.exceptionSla)}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function reportMonday(format: string): Promise<void> {
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new Error(`--format "${format}" is not a report format; use one of ${REPORT_FORMATS.join(', ')}`);
  }
  const config = loadConfig(process.env, { requireToken: false });
  const logger = createLogger('silent');
  const contracts = createContractStore({ file: config.contracts, required: config.contractsExplicit, logger });
  const text = await mondayReport({
    db: config.db,
    contract: contracts.current(),
    format: format as ReportFormat,
    retentionMs: config.retentionMs,
  });
  process.stdout.write(text);
}

/** Writes, then exits once the output is flushed (a piped stdout must not lose the summary). */
function finish(out: { exitCode: number; stdout: string; stderr: string }): void {
  if (out.stderr) process.stderr.write(out.stderr);
  process.stdout.write(out.stdout, () => process.exit(out.exitCode));
}

/** Who runs the command, for `replay --by`'s default: the OS account, else what the shell says. */
function osUserName(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (a container run with an arbitrary uid): the shell's word is all there is.
    return env.USER ?? env.LOGNAME ?? env.USERNAME;
  }
}

async function replay(opts: ReplayCommandOptions): Promise<void> {
  const files = readSecretFiles(process.env);
  if (files.problems.length)
    return finish({ exitCode: REPLAY_EXIT.usage, stdout: '', stderr: `handoff-monitor replay: ${files.problems.join('; ')}\n` });
  const parsed = parseReplayCommand(opts, files.env, osUserName(files.env));
  if (!parsed.ok) return finish({ exitCode: REPLAY_EXIT.usage, stdout: '', stderr: `handoff-monitor replay: ${parsed.message}\n` });
  const answer = await askMonitor(parsed.request);
  finish(renderReplayAnswer(parsed.request, answer));
}

const AUDIT_HELP = `
Reads every workflow through n8n's public API (N8N_BASE_URL, N8N_API_KEY; archived ones skipped)
and checks each against the contract (HANDOFF_CONTRACTS). Exit codes: 0 no finding at or above
--fail-on, 1 at least one, 2 bad usage or n8n could not be read. See docs/audit.md.
`;

async function audit(opts: AuditCommandOptions): Promise<void> {
  const usage = (message: string) => finish({ exitCode: AUDIT_EXIT.usage, stdout: '', stderr: `handoff-monitor audit: ${message}\n` });
  const parsed = parseAuditOptions(opts);
  if (!parsed.ok) return usage(parsed.message);
  const config = loadConfig(process.env, { requireToken: false });
  if (!config.n8n) return usage("set N8N_BASE_URL and N8N_API_KEY: the audit reads every workflow through n8n's public API");
  const contracts = createContractStore({ file: config.contracts, required: config.contractsExplicit, logger: createLogger('silent') });
  const out = await runAuditCommand(parsed.request, {
    client: createN8nClient(config.n8n),
    contract: contracts.current(),
    contractLoaded: contracts.status().source === 'file',
    n8nBaseUrl: config.n8n.baseUrl,
    writeFile: (file, text) => writeFileSync(file, text),
  });
  finish(out);
}

const BACKUP_HELP = `
Reads HANDOFF_MONITOR_DB (SQLite) through its own read-only connection; the monitor keeps serving.
The copy holds every write committed before the backup began. To restore: stop the monitor, move
handoff-monitor.db and its -wal and -shm files away, copy the backup to handoff-monitor.db, start
the monitor. On Postgres use pg_dump and pg_restore instead. Exit codes: 0 written, 1 failed,
2 refused (Postgres, FILE exists, no database).
`;

async function backup(file: string): Promise<void> {
  const config = loadConfig(process.env, { requireToken: false });
  if (isPostgresLocation(config.db)) {
    throw new BackupRefused(
      'HANDOFF_MONITOR_DB is a Postgres database, and this command copies a SQLite file: back Postgres up with pg_dump, e.g. pg_dump --format=custom --file=handoff-monitor.dump "$HANDOFF_MONITOR_DB" (restore into an empty database with pg_restore --dbname=…)',
    );
  }
  const r = await backupSqlite(config.db, file);
  const size = r.bytes >= 1_048_576 ? `${(r.bytes / 1_048_576).toFixed(1)} MB` : `${Math.ceil(r.bytes / 1024)} KB`;
  finish({
    exitCode: 0,
    stdout: `Backed up ${config.db} to ${r.file}: ${size}, schema version ${r.schemaVersion}, ${r.claims.toLocaleString('en-US')} keys, ${r.incidents.toLocaleString('en-US')} incidents, in ${(r.ms / 1000).toFixed(1)} s. Restore: stop the monitor, replace ${config.db} (and remove its -wal and -shm files) with this file, start it.\n`,
    stderr: '',
  });
}

export function buildProgram(): Command {
  const program = new Command('handoff-monitor')
    .description("Handoff Guard's sidecar: the handoff ledger, sync-failure metrics, stalls and incidents.")
    .addHelpText('after', ENVIRONMENT_HELP)
    .showHelpAfterError();
  program
    .command('serve')
    .description('run the monitor (ledger API, execution collector, stall detection, /metrics, health endpoints)')
    .action(() => serve().catch(fail));
  program
    .command('report')
    .description('print a report from the store named by HANDOFF_MONITOR_DB (safe while a monitor runs)')
    .command('monday')
    .description(
      'the Monday-morning check: red handoffs, incidents of 48 h and owners, 3 traced handoffs, queues, one high-impact failure, a one-line status',
    )
    .option('-f, --format <format>', `output format: ${REPORT_FORMATS.join(', ')}`, 'text')
    .action((opts: { format: string }) => reportMonday(opts.format).catch(fail));
  program
    .command('replay')
    .description(
      "replay failed handoffs from the exception queue through the running monitor: n8n's trigger input is sent again to the workflow as it is published now",
    )
    .option('--handoff <id>', 'the handoff whose failed keys to replay (required without --incident)')
    .option('--kind <kind>', 'only keys that failed with this kind (e.g. request_failed)')
    .option('--key <key...>', 'only these keys')
    .option('--incident <id>', 'replay the one key of this incident')
    .option('--concurrency <n>', 'replays at once (the monitor defaults to 2; it stops launching after the first that fails again)')
    .option('--dry-run', 'list what would be replayed and send nothing')
    .option('--by <name>', 'who asks, recorded with each replay (default: your OS user name)')
    .option('--url <url>', 'the monitor (default http://$HANDOFF_MONITOR_HOST:$HANDOFF_MONITOR_PORT, i.e. http://127.0.0.1:5680)')
    .option('-f, --format <format>', 'output format: text, json', 'text')
    // Bad usage exits 2 like every other usage error of this command, so scripts can tell it from a failed replay.
    .exitOverride((err: CommanderError) => process.exit(err.exitCode === 0 ? 0 : REPLAY_EXIT.usage))
    .action((opts: ReplayCommandOptions) =>
      replay(opts).catch((err) =>
        finish({ exitCode: REPLAY_EXIT.usage, stdout: '', stderr: `handoff-monitor replay: ${(err as Error)?.message ?? String(err)}\n` }),
      ),
    );
  program
    .command('audit')
    .description(
      'audit every n8n workflow: the systems it reads and writes, its safeguards (Gate claim and complete, safe retries, QA, exception path, contract) and the gaps, most severe first',
    )
    .option('-f, --format <format>', `output format: ${AUDIT_FORMATS.join(', ')}`, 'text')
    .option(
      '--draft-contract <file>',
      'write handoffs.yaml entries for the workflows no handoff names (owner and SLAs left as placeholders that check rejects)',
    )
    .option('--fail-on <severity>', `exit 1 when a finding is at or above this severity: ${FAIL_ON.join(', ')}`, 'high')
    .addHelpText('after', AUDIT_HELP)
    .exitOverride((err: CommanderError) => process.exit(err.exitCode === 0 ? 0 : AUDIT_EXIT.usage))
    .action((opts: AuditCommandOptions) =>
      audit(opts).catch((err) =>
        finish({ exitCode: AUDIT_EXIT.usage, stdout: '', stderr: `handoff-monitor audit: ${(err as Error)?.message ?? String(err)}\n` }),
      ),
    );
  program
    .command('backup')
    .argument('<file>', 'where to write the copy (a new file)')
    .description('copy the SQLite store to FILE while the monitor runs: a consistent snapshot, checked, ready to restore')
    .addHelpText('after', BACKUP_HELP)
    .exitOverride((err: CommanderError) => process.exit(err.exitCode === 0 ? 0 : 2))
    .action((file: string) =>
      backup(file).catch((err) =>
        finish({
          exitCode: err instanceof BackupRefused ? 2 : 1,
          stdout: '',
          stderr: `handoff-monitor backup: ${(err as Error)?.message ?? String(err)}\n`,
        }),
      ),
    );
  program
    .command('check')
    .description('validate the configuration and the handoff contract, then exit')
    .action(() => {
      try {
        check();
      } catch (err) {
        fail(err);
      }
    });
  return program;
}

export function main(argv: string[]): void {
  const program = buildProgram();
  program.exitOverride((err: CommanderError) => process.exit(err.exitCode));
  if (argv.length <= 2) {
    program.outputHelp();
    process.exit(1);
  }
  program.parse(argv);
}
