/**
 * `handoff-monitor backup FILE`: a consistent copy of the SQLite store taken while the monitor serves.
 * SQLite's online backup API (better-sqlite3's `db.backup`) copies the pages from its own read-only
 * connection; the copy is taken in one step, inside one read transaction, so it is the database as of
 * one instant — every write committed before it, none after — and, the file being in WAL mode, the
 * monitor keeps writing meanwhile (a reader never blocks the writer). The copy is written beside the
 * target under a temporary name, checked (`PRAGMA quick_check`), switched to a self-contained file
 * (no -wal beside it) and only then renamed to FILE, so FILE is complete or absent.
 */
import Database from 'better-sqlite3';
import { existsSync, realpathSync, renameSync, rmSync, statSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';

export interface BackupResult {
  file: string;
  bytes: number;
  schemaVersion: number;
  /** Keys in the ledger (claims) and incidents in the copy: a quick sign the copy holds what it should. */
  claims: number;
  incidents: number;
  ms: number;
}

export class BackupRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupRefused';
  }
}

/** All remaining pages in one step: one read transaction, so the copy never restarts under writes. */
const ALL_PAGES = 0x7fffffff;

export async function backupSqlite(source: string, target: string): Promise<BackupResult> {
  const started = performance.now();
  if (source === ':memory:') throw new BackupRefused('HANDOFF_MONITOR_DB is :memory:, which has nothing on disk to back up');
  if (!existsSync(source)) {
    throw new BackupRefused(`There is no database at ${source} (HANDOFF_MONITOR_DB): point HANDOFF_MONITOR_DB at the monitor's file`);
  }
  const dest = resolve(target);
  if (existsSync(dest)) {
    if (realpathSync(dest) === realpathSync(source)) {
      throw new BackupRefused(`${target} is the monitor's own database (HANDOFF_MONITOR_DB): write the backup to another file`);
    }
    throw new BackupRefused(`${target} already exists: name a new file, or move the old backup away first`);
  }
  if (!existsSync(dirname(dest))) throw new BackupRefused(`The folder ${dirname(dest)} does not exist: create it first`);

  const partial = join(dirname(dest), `.${basename(dest)}.partial-${process.pid}`);
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(partial, { progress: () => ALL_PAGES });
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    db.close();
  }
  let copy: Database.Database | undefined;
  try {
    copy = new Database(partial, { fileMustExist: true });
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`the copy failed SQLite's quick_check (${String(check)}); the database itself may be damaged`);
    // A self-contained file: no -wal or -shm needs to travel with it; the monitor turns WAL back on when it opens it.
    copy.pragma('journal_mode = DELETE');
    const schemaVersion = copy.pragma('user_version', { simple: true }) as number;
    const count = (table: string) => (copy!.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const result = { schemaVersion, claims: count('claims'), incidents: count('incidents') };
    copy.close();
    copy = undefined;
    renameSync(partial, dest);
    return { file: dest, bytes: statSync(dest).size, ...result, ms: performance.now() - started };
  } catch (err) {
    copy?.close();
    for (const f of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) rmSync(f, { force: true });
    throw err;
  }
}
