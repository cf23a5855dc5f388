/**
 * `handoff-monitor backup FILE` (issue 18 item 4): a consistent online copy of the SQLite store taken
 * while the monitor serves a claim load; restored into a fresh monitor, the copy holds every claim the
 * monitor acknowledged before the backup started. On Postgres the command refuses and names pg_dump.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ensureMonitorBuilt, runCli, serveCli, type ServingMonitor } from '../support/cli';
import { waitFor } from '../support/wait';

const TOKEN = 'backup-token-0123456789abcdef';
let dir: string;
const running: ServingMonitor[] = [];

beforeAll(() => ensureMonitorBuilt());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handoff-backup-'));
  writeFileSync(
    join(dir, 'handoffs.yaml'),
    'systems: { crm: { name: CRM } }\nhandoffs:\n  - { id: kickoff, source: crm, targets: [crm], owner: { name: Dana Ops } }\n',
  );
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop('SIGKILL')));
  rmSync(dir, { recursive: true, force: true });
});

const env = (db: string) => ({ HANDOFF_MONITOR_TOKEN: TOKEN, HANDOFF_MONITOR_DB: db, HANDOFF_CONTRACTS: join(dir, 'handoffs.yaml') });

async function serve(db: string) {
  const m = await serveCli(env(db), dir);
  running.push(m);
  return m;
}

async function claim(url: string, keys: string[]): Promise<{ status: number; results: { key: string; decision: string }[] }> {
  const res = await fetch(`${url}/api/v1/claims`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ handoff: 'kickoff', items: keys.map((key) => ({ key })) }),
  });
  return {
    status: res.status,
    results: res.status === 200 ? ((await res.json()) as { results: { key: string; decision: string }[] }).results : [],
  };
}

describe('handoff-monitor backup', () => {
  it('copies the store under a claim load; a fresh monitor on the copy knows every claim acknowledged before the backup', async () => {
    const db = join(dir, 'monitor.db');
    const monitor = await serve(db);

    // Four clients claim batches of 20 fresh keys, back to back, and note when each batch was acknowledged.
    const acknowledged: { keys: string[]; at: number }[] = [];
    const failures: number[] = [];
    let stop = false;
    const client = async (c: number) => {
      for (let i = 0; !stop; i++) {
        const keys = Array.from({ length: 20 }, (_, k) => `c${c}-${i}-${k}`);
        const r = await claim(monitor.url, keys);
        if (r.status !== 200) failures.push(r.status);
        else acknowledged.push({ keys, at: Date.now() });
      }
    };
    const clients = [0, 1, 2, 3].map(client);
    // Enough acknowledged claims for the copy to be checked against (the test wants more than 500 keys).
    await waitFor('600 keys acknowledged before the backup', () => acknowledged.length * 20 >= 600 || failures.length > 0, {
      timeoutMs: 20_000,
    });

    const backupStartedAt = Date.now();
    const backup = await runCli(['backup', join(dir, 'copy.db')], env(db), dir);
    const backupEndedAt = Date.now();
    await waitFor('a batch acknowledged after the backup', () => acknowledged.some((a) => a.at > backupEndedAt), { timeoutMs: 10_000 });
    stop = true;
    await Promise.all(clients);

    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(
      /^Backed up .*monitor\.db to .*copy\.db: \d+(\.\d)? [KM]B, schema version \d+, [\d,]+ keys, 0 incidents, in [\d.]+ s\. Restore: /,
    );
    // The monitor served throughout: nothing failed, and claims were acknowledged while the backup ran.
    expect(failures).toEqual([]);
    expect(acknowledged.filter((a) => a.at > backupStartedAt && a.at < backupEndedAt).length).toBeGreaterThan(0);
    // One self-contained file, no partial copy left behind.
    expect(readdirSync(dir).filter((f) => f.includes('copy'))).toEqual(['copy.db']);

    const before = acknowledged.filter((a) => a.at < backupStartedAt).flatMap((a) => a.keys);
    expect(before.length).toBeGreaterThan(500);

    // Restore: a fresh monitor on the copy (as the documented restore does: the copy becomes its database file).
    const restoredDb = join(mkdtempSync(join(dir, 'restored-')), 'handoff-monitor.db');
    copyFileSync(join(dir, 'copy.db'), restoredDb);
    const check = new Database(restoredDb, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
    const restored = await serve(restoredDb);
    const decisions = new Map<string, string>();
    for (let i = 0; i < before.length; i += 5_000) {
      const r = await claim(restored.url, before.slice(i, i + 5_000));
      expect(r.status).toBe(200);
      for (const res of r.results) decisions.set(res.key, res.decision);
    }
    // Every key acknowledged before the backup is in the copy, its lease still running: nothing is new.
    const missing = before.filter((key) => decisions.get(key) !== 'in_progress');
    expect(missing).toEqual([]);
  }, 60_000);

  it('refuses on Postgres and names pg_dump, writing nothing', async () => {
    const run = await runCli(['backup', join(dir, 'copy.db')], env('postgres://monitor:s3cret@127.0.0.1:5432/handoff'), dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^handoff-monitor backup: HANDOFF_MONITOR_DB is a Postgres database.*back Postgres up with pg_dump, e\.g\. pg_dump --format=custom/,
    );
    expect(run.stderr).not.toContain('s3cret');
    expect(existsSync(join(dir, 'copy.db'))).toBe(false);
  });

  it('refuses to overwrite a file, to copy onto the database itself, or to copy a database that is not there', async () => {
    const db = join(dir, 'monitor.db');
    const monitor = await serve(db);
    expect((await claim(monitor.url, ['deal-1'])).status).toBe(200);

    writeFileSync(join(dir, 'old.db'), 'an older backup');
    const exists = await runCli(['backup', join(dir, 'old.db')], env(db), dir);
    expect(exists.code).toBe(2);
    expect(exists.stderr).toContain('old.db already exists: name a new file, or move the old backup away first');

    const self = await runCli(['backup', db], env(db), dir);
    expect(self.code).toBe(2);
    expect(self.stderr).toContain("is the monitor's own database (HANDOFF_MONITOR_DB): write the backup to another file");

    const none = await runCli(['backup', join(dir, 'copy.db')], env(join(dir, 'nothing.db')), dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('There is no database at');
    expect(existsSync(join(dir, 'nothing.db'))).toBe(false);

    const help = await runCli(['backup', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/To restore: stop the monitor/);
  });
});
