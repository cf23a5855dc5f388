/**
 * Opens the SQLite file the way better-sqlite3's performance notes advise (WAL, synchronous=NORMAL,
 * a busy timeout so a second process — `handoff-monitor report` — can read while the monitor writes)
 * and brings the schema up to date.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'fs';
import { dirname } from 'path';
import { SQLITE_MIGRATIONS } from './migrations';

export type SqliteDb = Database.Database;

export function openSqlite(file: string, opts: { readonly?: boolean } = {}): SqliteDb {
  if (file !== ':memory:' && !opts.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    // Two monitors starting on a new file both switch it to WAL: SQLite then answers one of them
    // SQLITE_BUSY at once (its deadlock guard skips the busy handler), so the start-up retries.
    retryWhileBusy(() => db.pragma('journal_mode = WAL'));
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    retryWhileBusy(() => migrate(db));
  }
  return db;
}

/** Start-up only: a few seconds of short synchronous waits while another process holds the file. */
const BUSY_RETRY_DEADLINE_MS = 10_000;

function retryWhileBusy<T>(work: () => T): T {
  const deadline = Date.now() + BUSY_RETRY_DEADLINE_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return work();
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (!code.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw err;
      Atomics.wait(pause, 0, 0, 25 + Math.floor(Math.random() * 50));
    }
  }
}

export function migrate(db: SqliteDb): number {
  const latest = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1]?.version ?? 0;
  // The version is read inside the IMMEDIATE transaction: two monitors starting on a new file at
  // once must not both decide to run the same migration.
  const apply = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > latest) {
      throw new Error(
        `The database is at schema version ${current}, newer than this monitor knows (${latest}); upgrade handoff-monitor or point HANDOFF_MONITOR_DB elsewhere`,
      );
    }
    for (const m of SQLITE_MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  });
  apply.immediate();
  return latest;
}
