/**
 * `<VAR>_FILE` through the real command: `serve` takes its token from a file (a Docker or systemd
 * secret) and answers that token; `replay` reads the same file; both set stops start-up naming both.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { ClaimResponse } from '../../protocol/ledger';
import { ensureMonitorBuilt, runCli, serveCli, type ServingMonitor } from '../support/cli';

const TOKEN = 'file-token-0123456789abcdef';
let dir: string;
let running: ServingMonitor | undefined;

beforeAll(() => ensureMonitorBuilt());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handoff-cli-files-'));
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
});
afterEach(async () => {
  await running?.stop('SIGKILL');
  running = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('secrets from files', () => {
  it('serve reads HANDOFF_MONITOR_TOKEN_FILE, newline trimmed, and replay reads it too', async () => {
    running = await serveCli({ HANDOFF_MONITOR_TOKEN_FILE: join(dir, 'token'), HANDOFF_MONITOR_DB: join(dir, 'monitor.db') }, dir);
    const claim = await fetch(`${running.url}/api/v1/claims`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ handoff: 'kickoff', items: [{ key: 'deal-1' }] }),
    });
    expect(claim.status).toBe(200);
    expect(((await claim.json()) as ClaimResponse).results[0].decision).toBe('new');

    // The token reaches the monitor: its answer is about the queue (empty), not about the token.
    const replay = await runCli(
      ['replay', '--handoff', 'kickoff', '--dry-run', '--url', running.url],
      { HANDOFF_MONITOR_TOKEN_FILE: join(dir, 'token') },
      dir,
    );
    expect(replay.stderr).not.toMatch(/token/i);
    expect(replay.code).toBe(0);
  });

  it('both set stops serve and replay, naming both variables and showing neither value', async () => {
    const both = {
      HANDOFF_MONITOR_TOKEN: TOKEN,
      HANDOFF_MONITOR_TOKEN_FILE: join(dir, 'token'),
      HANDOFF_MONITOR_DB: join(dir, 'monitor.db'),
    };
    const serve = await runCli(['serve'], both, dir);
    expect(serve.code).toBe(1);
    expect(serve.stderr).toContain('HANDOFF_MONITOR_TOKEN and HANDOFF_MONITOR_TOKEN_FILE are both set: keep one');
    expect(serve.stderr).not.toContain(TOKEN);
    const replay = await runCli(['replay', '--handoff', 'kickoff', '--url', 'http://127.0.0.1:9'], both, dir);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toContain('HANDOFF_MONITOR_TOKEN and HANDOFF_MONITOR_TOKEN_FILE are both set');
  });
});
