/**
 * Child processes the harness starts, tracked by process group so that nothing outlives a test run.
 *
 * Each service runs under `watchdog.sh` as the leader of its own process group (spawn `detached`).
 * Stopping a service signals the whole group, which also reaches grandchildren such as n8n's task
 * runner. Three layers make sure nothing leaks: the caller's stop(), a synchronous kill on this
 * process's exit, and the watchdog itself, which kills its group if this process dies by SIGKILL
 * (where no exit handler can run).
 */
import { spawn, ChildProcess } from 'child_process';
import fs from 'fs';
import path from 'path';

const WATCHDOG = path.join(__dirname, 'watchdog.sh');
/** How long a graceful stop may take before the group is killed; n8n needs 2-4 s on SIGTERM. */
const STOP_GRACE_MS = 10_000;

export interface ServiceProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves when the group leader exits. */
  readonly exited: Promise<number | null>;
  /** Signals every process of the group. */
  signal(sig: NodeJS.Signals): void;
  /** Resolves once no process of the group is left (polls: the child is unref'd and would not keep us alive). */
  gone(): Promise<void>;
  /** SIGTERM, wait for the whole group to go, SIGKILL after a grace period. */
  stop(graceMs?: number): Promise<void>;
  isRunning(): boolean;
}

const live = new Set<number>();

// Registered on import, so it runs before any later exit handler (e.g. one removing a user folder).
// Synchronous by necessity: 'exit' handlers cannot wait. SIGKILL because there is no time for grace.
process.on('exit', () => {
  for (const pgid of live) killGroup(pgid, 'SIGKILL');
});

function killGroup(pgid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false; // ESRCH: the group is already gone
  }
}

function groupAlive(pgid: number): boolean {
  return killGroup(pgid, 0 as unknown as NodeJS.Signals);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops every service this process started and has not stopped yet. For afterAll hooks: when a
 * beforeAll times out, the start is still under way and the test never got a handle to stop.
 */
export async function stopAllServices(): Promise<void> {
  await Promise.all([...handles].map((h) => h.stop()));
}
const handles = new Set<ServiceProcess>();

/** Starts `command args` in a new process group, appending stdout and stderr to `logFile`. */
export function startService(opts: {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logFile: string;
}): ServiceProcess {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const out = fs.openSync(opts.logFile, 'a');
  const child = spawn('bash', [WATCHDOG, String(process.pid), opts.command, ...opts.args], {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${opts.command}`);
  const pid = child.pid;
  live.add(pid);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  // The group can outlive its leader for a moment (the runner); only forget it once all are gone.
  void exited.then(async () => {
    for (let i = 0; i < 50 && groupAlive(pid); i++) await sleep(100);
    if (!groupAlive(pid)) live.delete(pid);
  });
  // Do not keep the test process alive just because a service runs.
  child.unref();

  const handle: ServiceProcess = {
    pid,
    child,
    logFile: opts.logFile,
    exited,
    signal: (sig) => void killGroup(pid, sig),
    async gone() {
      while (groupAlive(pid)) await sleep(50);
      live.delete(pid);
    },
    isRunning: () => groupAlive(pid),
    async stop(graceMs = STOP_GRACE_MS) {
      if (!groupAlive(pid)) {
        handles.delete(handle);
        return;
      }
      // TERM goes to the leader only: the watchdog forwards it to the service, which shuts down its own children.
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* leader gone; the group check below decides */
      }
      const deadline = Date.now() + graceMs;
      while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
      killGroup(pid, 'SIGKILL');
      while (groupAlive(pid)) await sleep(50);
      live.delete(pid);
      handles.delete(handle);
    },
  };
  handles.add(handle);
  return handle;
}

/** The last lines of a log file, for error messages that explain themselves. */
export function tailFile(file: string, lines = 40): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}
