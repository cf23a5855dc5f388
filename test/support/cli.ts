/** Runs the real `handoff-monitor` command (the compiled CLI) as a child process. */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';

export const REPO = join(__dirname, '..', '..');
export const CLI = join(REPO, 'monitor', 'bin', 'handoff-monitor.js');

/** `npm test` builds first; a lone `jest` run builds the monitor here so the test never runs stale code by surprise. */
export function ensureMonitorBuilt(): void {
  if (!existsSync(join(REPO, 'monitor', 'dist', 'monitor', 'src', 'cli.js'))) {
    execFileSync(join(REPO, 'node_modules', '.bin', 'tsc'), ['-p', join(REPO, 'monitor', 'tsconfig.json')], { stdio: 'inherit' });
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}, cwd = REPO): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServingMonitor {
  child: ChildProcess;
  url: string;
  logs: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The monitor exited before it listened: a start-up refusal a test may expect, with its exit code and output. */
export class MonitorDidNotStart extends Error {
  constructor(
    readonly code: number | null,
    readonly output: string,
  ) {
    super(`monitor exited with ${code} before listening:\n${output}`);
  }
}

export interface ServeOptions {
  /** A command the CLI runs under, e.g. prlimit with a file-size limit: `[prlimit, '--fsize=…', '--']`. */
  wrapper?: string[];
  /** Run as another user (root ignores file modes). */
  uid?: number;
  gid?: number;
}

/** Starts `handoff-monitor serve` and resolves once it logs its URL; rejects with MonitorDidNotStart if it exits first. */
export function serveCli(env: Record<string, string>, cwd = REPO, opts: ServeOptions = {}): Promise<ServingMonitor> {
  return new Promise((resolve, reject) => {
    const command = [...(opts.wrapper ?? []), process.execPath, CLI, 'serve'];
    const child = spawn(command[0], command.slice(1), {
      cwd,
      env: { PATH: process.env.PATH ?? '', HANDOFF_MONITOR_PORT: '0', ...env },
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    });
    let out = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // Generous: a node process starting on a busy two-core machine has taken over 6 s.
    const timer = setTimeout(() => reject(new Error(`monitor did not start within 30 s:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d;
      const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1],
          logs: () => out,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new MonitorDidNotStart(code, out));
    });
  });
}
