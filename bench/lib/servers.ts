/** Starts a server script as a child process and waits for the `LISTENING <url>` line it prints. */
import { spawn, type ChildProcess } from 'child_process';
import { join } from 'path';

export interface ChildServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function startChild(
  command: string,
  args: string[],
  env: Record<string, string>,
  urlPattern = /LISTENING (\S+)|"url":"(http[^"]+)"/,
): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d;
      const match = urlPattern.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners('data');
        child.stderr?.removeAllListeners('data');
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({
          url: match[1] ?? match[2],
          child,
          stop: () =>
            new Promise((r) => {
              if (child.exitCode !== null) return r();
              child.once('exit', () => r());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${out}`));
    });
  });
}

/** `handoff-monitor serve` from this tree on a free port, with the given store and contract. */
export function serveMonitor(token: string, db: string, contracts: string): Promise<ChildServer> {
  return startChild(
    process.execPath,
    [join(__dirname, '..', '..', 'monitor', 'bin', 'handoff-monitor.js'), 'serve'],
    {
      HANDOFF_MONITOR_TOKEN: token,
      HANDOFF_MONITOR_PORT: '0',
      HANDOFF_MONITOR_DB: db,
      HANDOFF_CONTRACTS: contracts,
      HANDOFF_LOG_LEVEL: 'info',
    },
    /"url":"(http[^"]+)"|LISTENING (\S+)/,
  );
}
