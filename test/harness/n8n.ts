/**
 * A real n8n for tests: the pinned version on Node 24, a fresh user folder, this repository's node
 * package installed as a community package, an owner and an API key, on loopback ports of its own.
 *
 *   const n8n = await startN8n();            // in beforeAll
 *   await n8n.importWorkflow(json) ...
 *   await n8n.stop();                        // in afterAll (and on exit, whatever happens)
 *
 * Facts behind each step: docs/n8n-facts.md.
 */
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { N8nSession, Owner, publicApi } from './n8n-client';
import { buildAndPack, installPackIntoUserFolder } from './pack';
import { freePort } from './ports';
import { startService, ServiceProcess, tailFile } from './processes';
import { provisionN8n, N8nInstall } from './provision';
import { readSetup } from './e2e-setup';
import { workflowApi } from './workflow-api';
import { waitFor } from '../support/wait';

/** For jest.setTimeout in e2e files: a start, a storm or a crash-restart each fit well inside. */
export const E2E_TIMEOUT_MS = 180_000;
/** A fresh SQLite database takes ~13 s to migrate on 2 cores; leave room for a loaded CI machine. */
const READY_TIMEOUT_MS = 120_000;
/** How often readiness is polled while n8n starts. */
const POLL_MS = 200;

export interface StartN8nOptions {
  /** Tarball to install; default: the one the e2e global setup packed (or pack now). `null`: none. */
  packTgz?: string | null;
  /** Reuse a user folder (state, owner and key are kept in it); default: a fresh temp folder. */
  userFolder?: string;
  port?: number;
  brokerPort?: number;
  owner?: Partial<Pick<Owner, 'email' | 'password'>>;
  /** Extra environment for n8n (wins over the harness defaults). */
  env?: Record<string, string>;
}

export interface Execution {
  id: string;
  finished: boolean;
  mode: string;
  status: string;
  startedAt: string;
  stoppedAt: string | null;
  workflowId: string;
  retryOf?: string | null;
  data?: unknown;
}

export { FINAL_STATUSES } from './workflow-api';

/** What the harness keeps in the user folder so a restart (or the next `npm start`) can log in again. */
interface HarnessState {
  owner: Owner;
  apiKey: string;
  encryptionKey: string;
}

const STATE_FILE = 'harness.json';

export type N8nInstance = Awaited<ReturnType<typeof startN8n>>;

export async function startN8n(opts: StartN8nOptions = {}) {
  const install = provisionN8n();
  const packTgz = opts.packTgz === undefined ? (readSetup()?.packTgz ?? buildAndPack(install.cacheRoot)) : opts.packTgz;
  const ownsFolder = opts.userFolder === undefined;
  const userFolder = opts.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-n8n-'));
  fs.mkdirSync(userFolder, { recursive: true });
  const removeFolder = () => {
    if (ownsFolder && !process.env.HANDOFF_KEEP_N8N) fs.rmSync(userFolder, { recursive: true, force: true });
  };
  // Also when the test process ends before stop() (a timed-out beforeAll, an uncaught error).
  process.once('exit', removeFolder);
  const stateFile = path.join(userFolder, STATE_FILE);
  const saved: HarnessState | undefined = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')) : undefined;
  const encryptionKey = saved?.encryptionKey ?? crypto.randomBytes(24).toString('hex');
  const owner: Owner = saved?.owner ?? {
    email: opts.owner?.email ?? 'owner@handoff-guard.test',
    // n8n's rule: 8+ characters with a digit and an uppercase letter.
    password: opts.owner?.password ?? `Handoff-${crypto.randomBytes(6).toString('hex')}-A1`,
    firstName: 'Ops',
    lastName: 'Owner',
  };
  // Where the start-up time goes, for the harness's cold/warm figures.
  const timings = { installPackMs: 0, readyMs: 0, ownerAndKeyMs: 0 };
  let mark = Date.now();
  if (packTgz) installPackIntoUserFolder(packTgz, userFolder, path.dirname(install.nodeBin));
  timings.installPackMs = Date.now() - mark;

  const port = opts.port ?? (await freePort());
  const brokerPort = opts.brokerPort ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const logFile = path.join(userFolder, 'n8n.log');
  const env = n8nEnv({ install, userFolder, encryptionKey, port, brokerPort, baseUrl, extra: opts.env });

  mark = Date.now();
  let proc: ServiceProcess = await launch();
  timings.readyMs = Date.now() - mark;
  mark = Date.now();
  const session = new N8nSession(baseUrl);
  let apiKey: string;
  try {
    if (saved) {
      await session.login(owner);
      apiKey = saved.apiKey;
    } else {
      await session.setupOwner(owner);
      await session.login(owner);
      apiKey = await session.createApiKey('handoff-guard harness');
      fs.writeFileSync(stateFile, JSON.stringify({ owner, apiKey, encryptionKey } satisfies HarnessState, null, 2), { mode: 0o600 });
    }
  } catch (err) {
    await proc.stop();
    throw withLog(err, logFile);
  }
  timings.ownerAndKeyMs = Date.now() - mark;
  const api = publicApi(baseUrl, apiKey);

  async function launch(): Promise<ServiceProcess> {
    const p = startService({ command: install.nodeBin, args: [install.n8nBin, 'start'], env, cwd: userFolder, logFile });
    try {
      await waitForReadiness(baseUrl, p);
    } catch (err) {
      await p.stop();
      throw withLog(err, logFile);
    }
    return p;
  }

  return {
    baseUrl,
    port,
    brokerPort,
    userFolder,
    logFile,
    apiKey,
    owner: { email: owner.email, password: owner.password },
    install,
    timings,
    get pid() {
      return proc.pid;
    },
    api,
    session,
    ...workflowApi(baseUrl, api, (err) => withLog(err, logFile)),

    nodeTypes: () => session.nodeTypes(),
    credentialTypes: () => session.credentialTypes(),
    logTail: (lines = 40) => tailFile(logFile, lines),

    /** Signals n8n's whole process group (SIGKILL simulates a crash: no shutdown hooks run). */
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      proc.signal(signal);
      await proc.gone();
    },

    /** Starts n8n again on the same user folder, database and ports (stopping it first if it still runs). */
    async restart() {
      await proc.stop();
      proc = await launch();
      await session.login(owner);
    },

    /** Stops n8n (and its task runner); removes the user folder if the harness created it. */
    async stop() {
      await proc.stop();
      removeFolder();
      process.removeListener('exit', removeFolder);
    },
  };
}

/** The harness's environment for one n8n process (exported for the queue-mode harness, which adds to it). */
export function n8nEnv(o: {
  install: N8nInstall;
  userFolder: string;
  encryptionKey: string;
  port: number;
  brokerPort: number;
  baseUrl: string;
  extra?: Record<string, string>;
}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('N8N_') && k !== 'NODE_OPTIONS'));
  return {
    ...inherited,
    // Node 24 first: n8n and its task runner refuse Node 20.
    PATH: `${path.dirname(o.install.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
    // Jest sets NODE_ENV=test, which n8n reads as "running n8n's own tests".
    NODE_ENV: 'production',
    N8N_USER_FOLDER: o.userFolder,
    N8N_ENCRYPTION_KEY: o.encryptionKey,
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PORT: String(o.port),
    N8N_PROTOCOL: 'http',
    WEBHOOK_URL: `${o.baseUrl}/`,
    N8N_EDITOR_BASE_URL: o.baseUrl,
    N8N_SECURE_COOKIE: 'false',
    DB_TYPE: 'sqlite',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_DISABLED_MODULES: 'mcp-registry',
    N8N_RUNNERS_MODE: 'internal',
    N8N_RUNNERS_BROKER_PORT: String(o.brokerPort),
    N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
    ...o.extra,
  };
}

/** Polls `<baseUrl>/healthz/readiness` (a main's port, or a worker's QUEUE_HEALTH_CHECK_PORT) until 200. */
export async function waitForReadiness(baseUrl: string, proc: ServiceProcess): Promise<void> {
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => (exitCode = code));
  await waitFor(
    `n8n at ${baseUrl} to be ready`,
    async () => {
      // Thrown, not retried: a process that is gone will not become ready.
      if (exitCode !== undefined) throw new Error(`n8n exited with code ${exitCode} before it was ready`);
      const res = await fetch(`${baseUrl}/healthz/readiness`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      return res?.status === 200;
    },
    { timeoutMs: READY_TIMEOUT_MS, intervalMs: POLL_MS },
  );
}

export function withLog(err: unknown, logFile: string): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  e.message += `\n--- last lines of ${logFile} ---\n${tailFile(logFile)}`;
  return e;
}
