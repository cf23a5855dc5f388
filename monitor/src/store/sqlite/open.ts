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
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  }
  return db;
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
