/**
 * n8n in queue mode for tests: the pinned n8n as one main and N workers (default 2) on the machine's
 * Redis and Postgres, this repository's node package installed once and shared by all of them.
 *
 *   const n8n = await startN8nQueueMode();    // in beforeAll
 *   await n8n.importWorkflow(json) ...        // same shape as startN8n's instance
 *   await n8n.stop();                         // in afterAll; also cleanupQueueModeStacks()
 *
 * What each piece is (checked against n8n 2.41.1's @n8n/config and scaling code):
 *  - EXECUTIONS_MODE=queue on every process; the main takes webhooks and enqueues a Bull job, a
 *    worker (`n8n worker --concurrency=N`) runs it and writes the execution to Postgres.
 *  - Redis: QUEUE_BULL_REDIS_HOST/PORT/DB; QUEUE_BULL_PREFIX names the Bull keys and
 *    N8N_REDIS_KEY_PREFIX the pub/sub channels and the cache keys. Both get a random prefix per
 *    stack, so parallel runs (and CI on the same server) never share a queue; the keys are deleted on stop.
 *  - Postgres: DB_TYPE=postgresdb + DB_POSTGRESDB_*; a fresh database `handoff_n8n_<random>` per
 *    stack, dropped on stop (and, as a last resort, synchronously when the test process exits).
 *  - N8N_ENCRYPTION_KEY is shared (workers decrypt the credentials the main stored).
 *  - Every process has its own user folder (event log, crash journal) but the same community nodes
 *    folder: the workers' `.n8n/nodes` is a symlink to the main's, where the pack is installed.
 *  - Every process runs its own task runner broker: N8N_RUNNERS_BROKER_PORT differs per process.
 *  - A worker's readiness: QUEUE_HEALTH_CHECK_ACTIVE=true serves /healthz/readiness on
 *    QUEUE_HEALTH_CHECK_PORT (N8N_WORKER_SERVER_ADDRESS); 200 once DB, migrations and Redis are up.
 *  - Workers start after the main is ready, so only the main runs the migrations on the fresh database.
 */
import { execFileSync } from 'child_process';
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Client } from 'pg';
import { n8nEnv, waitForReadiness, withLog } from './n8n';
import { workflowApi } from './workflow-api';
import { N8nSession, Owner, publicApi } from './n8n-client';
import { buildAndPack, installPackIntoUserFolder } from './pack';
import { freePort } from './ports';
import { startService, ServiceProcess, tailFile } from './processes';
import { provisionN8n } from './provision';
import { readSetup } from './e2e-setup';

const PG = {
  host: process.env.HANDOFF_TEST_PG_HOST ?? '127.0.0.1',
  port: Number(process.env.HANDOFF_TEST_PG_PORT ?? 5432),
  user: process.env.HANDOFF_TEST_PG_USER ?? 'postgres',
  password: process.env.HANDOFF_TEST_PG_PASSWORD ?? '',
};
const REDIS = {
  host: process.env.HANDOFF_TEST_REDIS_HOST ?? '127.0.0.1',
  port: Number(process.env.HANDOFF_TEST_REDIS_PORT ?? 6379),
  db: Number(process.env.HANDOFF_TEST_REDIS_DB ?? 0),
};

export interface StartQueueModeOptions {
  workers?: number;
  /** `n8n worker --concurrency`; n8n warns below 5. */
  concurrency?: number;
  /** Tarball to install; default: the one the e2e global setup packed (or pack now). `null`: none. */
  packTgz?: string | null;
  /** Extra environment for every process (wins over the harness defaults). */
  env?: Record<string, string>;
}

export interface QueueWorker {
  index: number;
  healthUrl: string;
  userFolder: string;
  logFile: string;
  readonly pid: number;
}

export type N8nQueueMode = Awaited<ReturnType<typeof startN8nQueueMode>>;

/** Cleanups of stacks not stopped yet: for afterAll hooks after a timed-out beforeAll. */
const pending = new Set<() => Promise<void>>();
export async function cleanupQueueModeStacks(): Promise<void> {
  await Promise.all([...pending].map((c) => c()));
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ ...PG, database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function redisCli(args: string[], input?: string): string {
  return execFileSync('redis-cli', ['-h', REDIS.host, '-p', String(REDIS.port), '-n', String(REDIS.db), ...args], {
    encoding: 'utf8',
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
}

/** Deletes every Redis key of one stack (Bull queue, cache); keys are few, so SCAN + DEL is enough. */
function deleteRedisKeys(prefix: string): void {
  const keys = redisCli(['--scan', '--pattern', `${prefix}*`])
    .split('\n')
    .filter(Boolean);
  for (let i = 0; i < keys.length; i += 500) redisCli(['DEL', ...keys.slice(i, i + 500)]);
}

export async function startN8nQueueMode(opts: StartQueueModeOptions = {}) {
  const started = Date.now();
  const workerCount = opts.workers ?? 2;
  const concurrency = opts.concurrency ?? 10;
  const install = provisionN8n();
  const packTgz = opts.packTgz === undefined ? (readSetup()?.packTgz ?? buildAndPack(install.cacheRoot)) : opts.packTgz;
  const id = crypto.randomBytes(5).toString('hex');
  const database = `handoff_n8n_${id}`;
  const prefix = `handoff-n8n-${id}`;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-n8n-queue-'));
  const encryptionKey = crypto.randomBytes(24).toString('hex');
  const owner: Owner = {
    email: 'owner@handoff-guard.test',
    password: `Handoff-${crypto.randomBytes(6).toString('hex')}-A1`,
    firstName: 'Ops',
    lastName: 'Owner',
  };
  const timings = { createDbMs: 0, mainReadyMs: 0, ownerAndKeyMs: 0, workersReadyMs: 0, totalMs: 0 };

  let main: ServiceProcess | undefined;
  const workerProcs: ServiceProcess[] = [];
  let cleaned = false;
  let dbCreated = false;

  // Last resort when the test process ends without stop(): processes.ts has SIGKILLed the groups
  // already (its exit handler was registered first); drop the database by force, delete the keys.
  const onExit = () => {
    if (cleaned) return;
    try {
      if (dbCreated)
        execFileSync(
          'psql',
          [
            '-h',
            PG.host,
            '-p',
            String(PG.port),
            '-U',
            PG.user,
            '-d',
            'postgres',
            '-qc',
            `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`,
          ],
          { stdio: 'ignore' },
        );
      deleteRedisKeys(prefix);
    } catch {
      /* nothing more can be done while exiting */
    }
    if (!process.env.HANDOFF_KEEP_N8N) fs.rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const cleanup = async () => {
    if (cleaned) return;
    await Promise.all([main?.stop(), ...workerProcs.map((w) => w.stop())]);
    const errors: unknown[] = [];
    if (dbCreated) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch((e) => errors.push(e));
    try {
      deleteRedisKeys(prefix);
    } catch (e) {
      errors.push(e);
    }
    if (!process.env.HANDOFF_KEEP_N8N) fs.rmSync(root, { recursive: true, force: true });
    cleaned = true;
    pending.delete(cleanup);
    process.removeListener('exit', onExit);
    if (errors.length) throw errors[0];
  };
  pending.add(cleanup);

  const mainFolder = path.join(root, 'main');
  const mainLog = path.join(mainFolder, 'n8n.log');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const queueEnv: Record<string, string> = {
    EXECUTIONS_MODE: 'queue',
    QUEUE_BULL_REDIS_HOST: REDIS.host,
    QUEUE_BULL_REDIS_PORT: String(REDIS.port),
    QUEUE_BULL_REDIS_DB: String(REDIS.db),
    QUEUE_BULL_PREFIX: prefix,
    N8N_REDIS_KEY_PREFIX: prefix,
    DB_TYPE: 'postgresdb',
    DB_POSTGRESDB_HOST: PG.host,
    DB_POSTGRESDB_PORT: String(PG.port),
    DB_POSTGRESDB_USER: PG.user,
    DB_POSTGRESDB_PASSWORD: PG.password,
    DB_POSTGRESDB_DATABASE: database,
    ...opts.env,
  };
  const workers: QueueWorker[] = [];
  let session: N8nSession;
  let apiKey: string;

  try {
    let mark = Date.now();
    await admin(`CREATE DATABASE ${database}`);
    dbCreated = true;
    timings.createDbMs = Date.now() - mark;

    fs.mkdirSync(mainFolder, { recursive: true });
    if (packTgz) installPackIntoUserFolder(packTgz, mainFolder, path.dirname(install.nodeBin));
    else fs.mkdirSync(path.join(mainFolder, '.n8n', 'nodes'), { recursive: true });

    mark = Date.now();
    const mainEnv = n8nEnv({
      install,
      userFolder: mainFolder,
      encryptionKey,
      port,
      brokerPort: await freePort(),
      baseUrl,
      extra: queueEnv,
    });
    main = startService({ command: install.nodeBin, args: [install.n8nBin, 'start'], env: mainEnv, cwd: mainFolder, logFile: mainLog });
    await waitForReadiness(baseUrl, main).catch((err) => {
      throw withLog(err, mainLog);
    });
    timings.mainReadyMs = Date.now() - mark;

    // Workers start now (the schema exists) and come up while the owner and API key are made.
    mark = Date.now();
    const workersReady = Promise.all(
      Array.from({ length: workerCount }, async (_, i) => {
        const userFolder = path.join(root, `worker-${i + 1}`);
        fs.mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
        fs.symlinkSync(path.join(mainFolder, '.n8n', 'nodes'), path.join(userFolder, '.n8n', 'nodes'));
        const healthPort = await freePort();
        const logFile = path.join(userFolder, 'n8n.log');
        const env = n8nEnv({
          install,
          userFolder,
          encryptionKey,
          port,
          brokerPort: await freePort(),
          baseUrl,
          extra: {
            QUEUE_HEALTH_CHECK_ACTIVE: 'true',
            QUEUE_HEALTH_CHECK_PORT: String(healthPort),
            N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
            ...queueEnv,
          },
        });
        const proc = startService({
          command: install.nodeBin,
          args: [install.n8nBin, 'worker', `--concurrency=${concurrency}`],
          env,
          cwd: userFolder,
          logFile,
        });
        workerProcs.push(proc);
        const healthUrl = `http://127.0.0.1:${healthPort}`;
        workers[i] = {
          index: i + 1,
          healthUrl,
          userFolder,
          logFile,
          get pid() {
            return proc.pid;
          },
        };
        await waitForReadiness(healthUrl, proc).catch((err) => {
          throw withLog(err, logFile);
        });
      }),
    ).then(() => (timings.workersReadyMs = Date.now() - mark));

    const ownerMark = Date.now();
    session = new N8nSession(baseUrl);
    const ownerReady = (async () => {
      await session.setupOwner(owner);
      await session.login(owner);
      apiKey = await session.createApiKey('handoff-guard queue-mode harness');
      timings.ownerAndKeyMs = Date.now() - ownerMark;
    })().catch((err) => {
      throw withLog(err, mainLog);
    });
    await Promise.all([workersReady, ownerReady]);
    timings.totalMs = Date.now() - started;
  } catch (err) {
    await cleanup().catch(() => undefined);
    throw err;
  }

  const api = publicApi(baseUrl, apiKey!);

  const allLogs = () =>
    [`main: ${tailFile(mainLog, 20)}`, ...workers.map((w) => `worker-${w.index}: ${tailFile(w.logFile, 20)}`)].join('\n');

  return {
    baseUrl,
    port,
    database,
    redisPrefix: prefix,
    root,
    logFile: mainLog,
    workers,
    apiKey: apiKey!,
    owner: { email: owner.email, password: owner.password },
    install,
    timings,
    get pid() {
      return main!.pid;
    },
    api,
    session: session!,
    ...workflowApi(baseUrl, api, (err) => Object.assign(err, { message: `${err.message}\n${allLogs()}` })),

    /**
     * Which worker ran each execution, from the workers' logs ("Worker started execution <id>").
     * An execution that appears in no worker's log ran on the main (it should not, in queue mode).
     */
    executionsByWorker(): Map<string, number> {
      const byExecution = new Map<string, number>();
      for (const w of workers) {
        const text = fs.existsSync(w.logFile) ? fs.readFileSync(w.logFile, 'utf8') : '';
        for (const m of text.matchAll(/Worker started execution (\d+)/g)) byExecution.set(m[1], w.index);
      }
      return byExecution;
    },

    nodeTypes: () => session!.nodeTypes(),
    logTail: (lines = 40) => tailFile(mainLog, lines),
    allLogs,

    /** Stops the main and the workers (with their task runners), drops the database, deletes the Redis keys. */
    stop: cleanup,
  };
}
