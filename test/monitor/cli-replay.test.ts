/**
 * `handoff-monitor replay` as a user runs it (the compiled CLI in a child process) against a small
 * real HTTP server standing in for the monitor's replay API: it checks the bearer token, records
 * each request and answers what the test tells it to. Exit codes: 0 all recovered / nothing to run
 * / dry run, 1 something did not recover, 2 bad usage or no monitor to ask.
 */
import { spawnSync } from 'child_process';
import { existsSync, statSync, readdirSync } from 'fs';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { userInfo } from 'os';
import { join } from 'path';
import { ensureMonitorBuilt, REPO, runCli } from '../support/cli';

const TOKEN = 'replay-test-token-0123456789';
/** Who runs the tests: what the command names as `by` when --by is left out. */
const ME = userInfo().username;

/** ensureMonitorBuilt builds only a missing dist; this also rebuilds one older than the replay sources. */
function ensureReplayBuilt(): void {
  ensureMonitorBuilt();
  const built = join(REPO, 'monitor', 'dist', 'monitor', 'src', 'replay', 'command.js');
  const sources = [
    join(REPO, 'monitor', 'src', 'cli.ts'),
    ...readdirSync(join(REPO, 'monitor', 'src', 'replay')).map((f) => join(REPO, 'monitor', 'src', 'replay', f)),
  ];
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (!existsSync(built) || statSync(built).mtimeMs < newest) {
    // tsc still emits when another part of the tree does not type-check; the CLI is what matters here.
    spawnSync(join(REPO, 'node_modules', '.bin', 'tsc'), ['-p', join(REPO, 'monitor', 'tsconfig.json')], { stdio: 'inherit' });
  }
}

interface Recorded {
  method: string;
  path: string;
  authorization?: string;
  body: unknown;
}

interface StandIn {
  url: string;
  requests: Recorded[];
  /** What to answer per path; unknown paths get a 404 like the monitor's. */
  answers: Map<string, { status: number; body: unknown }>;
  close(): Promise<void>;
}

async function standIn(): Promise<StandIn> {
  const requests: Recorded[] = [];
  const answers = new Map<string, { status: number; body: unknown }>();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`)
        return send(401, { error: { code: 'unauthorized', message: 'The bearer token does not match HANDOFF_MONITOR_TOKEN' } });
      if (req.headers['content-type'] !== 'application/json') return send(415, { error: { message: 'send JSON' } });
      const answer = answers.get(req.url ?? '');
      if (!answer) return send(404, { error: { code: 'not_found', message: `No route ${req.method} ${req.url}` } });
      send(answer.status, answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const planned = [
  {
    handoff: 'sales-to-delivery-kickoff',
    key: 'D-1042',
    kind: 'request_failed',
    owner: { name: 'Dana Ops', channel: '#ops' },
    failedAt: '2026-03-02T09:00:00.000Z',
    incident: { id: 4, title: 'request_failed in Create project: HTTP 503' },
  },
  {
    handoff: 'sales-to-delivery-kickoff',
    key: 'D-1043',
    kind: 'request_failed',
    owner: { name: 'Dana Ops' },
    failedAt: '2026-03-02T09:05:00.000Z',
  },
];
const result = (key: string, outcome: string, message: string) => ({ handoff: 'sales-to-delivery-kickoff', key, outcome, message });

let monitor: StandIn;
beforeAll(() => ensureReplayBuilt(), 120_000);
beforeEach(async () => {
  monitor = await standIn();
});
afterEach(() => monitor.close());

const replay = (args: string[], env: Record<string, string> = {}) => runCli(['replay', ...args], { HANDOFF_MONITOR_TOKEN: TOKEN, ...env });

describe('handoff-monitor replay', () => {
  it('is listed in --help, and its own --help shows every option', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/replay .*replay failed handoffs/);
    const own = await runCli(['replay', '--help']);
    expect(own.code).toBe(0);
    for (const option of [
      '--handoff <id>',
      '--kind <kind>',
      '--key <key...>',
      '--incident <id>',
      '--concurrency <n>',
      '--dry-run',
      '--by <name>',
      '--url <url>',
      '--format <format>',
    ]) {
      expect(own.stdout).toContain(option);
    }
  });

  it('--dry-run lists what would run, sends {handoff, dryRun} with the token, and exits 0', async () => {
    monitor.answers.set('/api/v1/replays', { status: 200, body: { dryRun: true, planned, results: [], stopped: null } });
    const run = await replay(['--handoff', 'sales-to-delivery-kickoff', '--dry-run', '--url', monitor.url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(monitor.requests).toEqual([
      {
        method: 'POST',
        path: '/api/v1/replays',
        authorization: `Bearer ${TOKEN}`,
        body: { handoff: 'sales-to-delivery-kickoff', dryRun: true, by: ME },
      },
    ]);
    expect(run.stdout).toMatch(/^Dry run: 2 key\(s\) would be replayed for sales-to-delivery-kickoff \(nothing was sent\):/);
    expect(run.stdout).toMatch(
      /D-1042 +sales-to-delivery-kickoff {2}request_failed {2}owner Dana Ops {2}failed 2026-03-02T09:00:00Z {2}incident #4 request_failed in Create project: HTTP 503/,
    );
    expect(run.stdout).toMatch(/D-1043 +sales-to-delivery-kickoff/);
    expect(run.stdout).toMatch(/Total: 2 key\(s\) would be replayed\. Run again without --dry-run to replay them\.\n$/);
  });

  it('--incident replays that one key through POST /incidents/:id/replay and prints its outcome', async () => {
    monitor.answers.set('/api/v1/incidents/4/replay', {
      status: 200,
      body: { result: result('D-1042', 'recovered', 'D-1042 completed at attempt 2') },
    });
    const run = await replay(['--incident', '4', '--url', monitor.url]);
    expect(run.code).toBe(0);
    expect(monitor.requests[0]).toMatchObject({ method: 'POST', path: '/api/v1/incidents/4/replay' });
    expect(monitor.requests[0].body).toEqual({ by: ME });
    expect(run.stdout).toBe(
      ['Replay of incident 4:', '  recovered     D-1042  D-1042 completed at attempt 2', 'Total: 1 key(s): 1 recovered.', ''].join('\n'),
    );
  });

  it('--by names who asks (spaces folded), over the OS user name; an empty or too long --by is bad usage, nothing sent', async () => {
    monitor.answers.set('/api/v1/incidents/4/replay', { status: 200, body: { result: result('D-1042', 'recovered', 'completed') } });
    monitor.answers.set('/api/v1/replays', { status: 200, body: { dryRun: false, planned: [], results: [], stopped: null } });
    expect((await replay(['--incident', '4', '--by', '  Dana   Ops ', '--url', monitor.url])).code).toBe(0);
    expect((await replay(['--handoff', 'sales-to-delivery-kickoff', '--by', 'Sam', '--url', monitor.url])).code).toBe(0);
    expect(monitor.requests.map((r) => r.body)).toEqual([{ by: 'Dana Ops' }, { handoff: 'sales-to-delivery-kickoff', by: 'Sam' }]);
    for (const by of ['   ', 'x'.repeat(201)]) {
      const run = await replay(['--incident', '4', '--by', by, '--url', monitor.url]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--by (needs a name|must be at most 200 characters)/);
    }
    expect(monitor.requests).toHaveLength(2);
  });

  it('--incident --dry-run asks with {dryRun: true}', async () => {
    monitor.answers.set('/api/v1/incidents/4/replay', { status: 200, body: { dryRun: true, planned: planned.slice(0, 1) } });
    const run = await replay(['--incident', '4', '--dry-run', '--url', monitor.url]);
    expect(run.code).toBe(0);
    expect(monitor.requests[0].body).toEqual({ dryRun: true, by: ME });
    expect(run.stdout).toMatch(/Dry run: 1 key\(s\) would be replayed for incident 4/);
  });

  it('bulk: sends handoff, kind, keys and concurrency; all recovered → exit 0 with one line per key and a total', async () => {
    monitor.answers.set('/api/v1/replays', {
      status: 200,
      body: {
        dryRun: false,
        planned,
        results: [result('D-1042', 'recovered', 'completed at attempt 2'), result('D-1043', 'recovered', 'completed at attempt 3')],
        stopped: null,
      },
    });
    const run = await replay([
      '--handoff',
      'sales-to-delivery-kickoff',
      '--kind',
      'request_failed',
      '--key',
      'D-1042',
      'D-1043',
      '--concurrency',
      '3',
      '--url',
      monitor.url,
    ]);
    expect(run.code).toBe(0);
    expect(monitor.requests[0].body).toEqual({
      handoff: 'sales-to-delivery-kickoff',
      kind: 'request_failed',
      keys: ['D-1042', 'D-1043'],
      concurrency: 3,
      by: ME,
    });
    expect(run.stdout).toBe(
      [
        'Replayed sales-to-delivery-kickoff:',
        '  recovered     D-1042  completed at attempt 2',
        '  recovered     D-1043  completed at attempt 3',
        'Total: 2 key(s): 2 recovered.',
        '',
      ].join('\n'),
    );
  });

  it('a replay that failed again (and the run that stopped) → exit 1', async () => {
    monitor.answers.set('/api/v1/replays', {
      status: 200,
      body: {
        dryRun: false,
        planned: [...planned, { ...planned[1], key: 'D-1044' }],
        results: [
          result('D-1042', 'failed_again', 'D-1042 failed again (request_failed)'),
          result('D-1043', 'recovered', 'completed'),
          result('D-1044', 'skipped', 'not started: the run stopped after D-1042'),
        ],
        stopped: { key: 'D-1042', reason: 'D-1042 failed again; 1 replay(s) not started' },
      },
    });
    const run = await replay(['--handoff', 'sales-to-delivery-kickoff', '--url', monitor.url]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/ {2}FAILED AGAIN {2}D-1042 {2}D-1042 failed again \(request_failed\)/);
    expect(run.stdout).toMatch(/ {2}skipped {7}D-1044 {2}not started/);
    expect(run.stdout).toMatch(/Stopped after D-1042: D-1042 failed again; 1 replay\(s\) not started/);
    expect(run.stdout).toMatch(/Total: 3 key\(s\): 1 recovered, 1 failed again, 1 skipped\.\n$/);
  });

  it('a refused replay (completed meanwhile) → exit 1; nothing to run → exit 0', async () => {
    monitor.answers.set('/api/v1/incidents/9/replay', { status: 200, body: { result: result('D-1', 'refused', 'D-1 already completed') } });
    expect((await replay(['--incident', '9', '--url', monitor.url])).code).toBe(1);
    monitor.answers.set('/api/v1/replays', { status: 200, body: { dryRun: false, planned: [], results: [], stopped: null } });
    const none = await replay(['--handoff', 'sales-to-delivery-kickoff', '--url', monitor.url]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/Nothing to replay for sales-to-delivery-kickoff/);
  });

  it("--format json prints the monitor's answer as JSON, with the same exit code", async () => {
    const body = {
      dryRun: false,
      planned,
      results: [result('D-1042', 'failed_again', 'x'), result('D-1043', 'skipped', 'y')],
      stopped: { key: 'D-1042', reason: 'x' },
    };
    monitor.answers.set('/api/v1/replays', { status: 200, body });
    const run = await replay(['--handoff', 'sales-to-delivery-kickoff', '--format', 'json', '--url', monitor.url]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual(body);
  });

  it('an unreachable monitor → exit 2, naming the URL (from HANDOFF_MONITOR_HOST/PORT) and the fix', async () => {
    const { url } = monitor;
    await monitor.close();
    const port = new URL(url).port;
    const run = await replay(['--handoff', 'sales-to-delivery-kickoff'], { HANDOFF_MONITOR_HOST: '127.0.0.1', HANDOFF_MONITOR_PORT: port });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`could not reach the monitor at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(run.stderr).toMatch(/handoff-monitor serve.*--url/);
    monitor = await standIn(); // afterEach closes it
  });

  it("a wrong token → exit 2 naming HANDOFF_MONITOR_TOKEN; the monitor's own 4xx message is shown", async () => {
    const wrong = await replay(['--handoff', 'k', '--url', monitor.url], { HANDOFF_MONITOR_TOKEN: 'not-the-token-0123456789' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      /refused the token \(HTTP 401: The bearer token does not match HANDOFF_MONITOR_TOKEN\); set HANDOFF_MONITOR_TOKEN/,
    );
    monitor.answers.set('/api/v1/incidents/77/replay', {
      status: 404,
      body: { error: { code: 'incident_not_found', message: 'No incident 77; list them with GET /api/v1/incidents' } },
    });
    const missing = await replay(['--incident', '77', '--url', monitor.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/refused the request \(HTTP 404\): No incident 77/);
  });

  it('a monitor failure (5xx) → exit 1', async () => {
    monitor.answers.set('/api/v1/replays', { status: 500, body: { error: { message: 'Internal error' } } });
    const run = await replay(['--handoff', 'k', '--url', monitor.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/failed \(HTTP 500\): Internal error/);
  });

  it.each([
    ['no --handoff and no --incident', ['--url', 'URL'], /needs --handoff <id>.* or --incident <id>/],
    ['--incident with --key', ['--incident', '4', '--key', 'D-1', '--url', 'URL'], /leave out --key/],
    ['--incident that is not a number', ['--incident', 'four', '--url', 'URL'], /is not an incident id/],
    ['--concurrency 0', ['--handoff', 'k', '--concurrency', '0', '--url', 'URL'], /--concurrency "0" must be a whole number of at least 1/],
    ['--format xml', ['--handoff', 'k', '--format', 'xml', '--url', 'URL'], /--format "xml" is not a format/],
    ['--url that is not http', ['--handoff', 'k', '--url', 'ftp://monitor'], /must be an http\(s\) URL/],
    ['an unknown option', ['--handoff', 'k', '--bogus'], /unknown option '--bogus'/],
  ])('bad usage → exit 2 and nothing sent: %s', async (_label, args, message) => {
    const run = await replay(args.map((a) => (a === 'URL' ? monitor.url : a)));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(monitor.requests).toHaveLength(0);
  });

  it('without HANDOFF_MONITOR_TOKEN → exit 2, nothing sent', async () => {
    const run = await runCli(['replay', '--handoff', 'k', '--url', monitor.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/HANDOFF_MONITOR_TOKEN is not set/);
    expect(monitor.requests).toHaveLength(0);
  });
});
