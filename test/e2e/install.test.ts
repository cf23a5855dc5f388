/**
 * Installed outside a clone, as a user would: both packages packed with `npm pack`, installed from
 * the tarballs into empty folders with npm, the monitor started from there and a key claimed over
 * HTTP. The node package goes in the way n8n installs community packages (n8n itself provides the
 * `n8n-workflow` peer, so peers are omitted); the monitor with a plain `npm install`.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const TOKEN = 'install-test-token-0123456789abcdef';
/** The monitor's native SQLite binding is compiled during the install when no prebuilt one is reachable. */
const INSTALL_TIMEOUT_MS = 6 * 60_000;
jest.setTimeout(INSTALL_TIMEOUT_MS + 2 * 60_000);

let dir: string;
let monitor: ChildProcess | undefined;

const run = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS,
    env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' },
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} in ${cwd} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
};
const pack = (from: string) => path.join(dir, run('npm', ['pack', '--silent', '--pack-destination', dir], from).split('\n').pop()!);
const emptyProject = (name: string) => {
  const at = path.join(dir, name);
  fs.mkdirSync(at);
  fs.writeFileSync(path.join(at, 'package.json'), JSON.stringify({ name, private: true }));
  return at;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-install-'));
});
afterAll(() => {
  monitor?.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
});

it('the monitor installs from its tarball with npm install, starts with only a token and claims a key', async () => {
  const tarball = pack(path.join(ROOT, 'monitor'));
  expect(path.basename(tarball)).toMatch(/^handoff-monitor-\d+\.\d+\.\d+\.tgz$/);
  const app = emptyProject('ops-box');
  run('npm', ['install', tarball], app);

  const bin = path.join(app, 'node_modules', '.bin', 'handoff-monitor');
  expect(fs.existsSync(bin)).toBe(true);
  expect(run(bin, ['--help'], app)).toMatch(/Usage: handoff-monitor/);

  monitor = spawn(bin, ['serve'], {
    cwd: app,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HANDOFF_MONITOR_TOKEN: TOKEN, HANDOFF_MONITOR_PORT: '0' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the installed monitor did not start:\n${out}`)), 30_000);
    monitor!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const listening = /"url":"(http:\/\/127\.0\.0\.1:\d+)".*handoff monitor listening/.exec(out);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]);
      }
    });
    monitor!.on('exit', (code) => reject(new Error(`the installed monitor exited (${code}):\n${out}`)));
  });
  const claim = () =>
    fetch(`${url}/api/v1/claims`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ handoff: 'kickoff', items: [{ key: 'deal-1' }] }),
    }).then((r) => r.json() as Promise<{ results: { decision: string }[] }>);
  expect((await claim()).results[0].decision).toBe('new');
  expect((await claim()).results[0].decision).toBe('in_progress');
  // The ledger is a real SQLite file in the working folder, as the README says.
  expect(fs.existsSync(path.join(app, 'handoff-monitor.db'))).toBe(true);
});

it('the node package installs the way n8n installs community packages: pure JavaScript, every declared file present', () => {
  const tarball = pack(ROOT);
  const nodes = emptyProject('n8n-nodes-folder');
  run('npm', ['install', '--omit=peer', tarball], nodes);
  const pkgDir = path.join(nodes, 'node_modules', 'n8n-nodes-handoff-guard');
  const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {
    n8n: { nodes: string[]; credentials: string[] };
  };
  for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) expect(fs.existsSync(path.join(pkgDir, file))).toBe(true);
  // No native module anywhere in what it brings (n8n Cloud and plain installs must not compile anything).
  const native: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === 'binding.gyp' || entry.name.endsWith('.node')) native.push(path.relative(nodes, p));
    }
  };
  walk(path.join(nodes, 'node_modules'));
  expect(native).toEqual([]);
});
