/**
 * Migration 9 rebuilds the claims table (its state CHECK without an IN list): a ledger written by the
 * previous schema keeps every row and index, and the rebuilt table still refuses a state it never knew.
 */
import Database from 'better-sqlite3';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { openSqlite } from '../../monitor/src/store/sqlite/open';
import { SQLITE_MIGRATIONS } from '../../monitor/src/store/sqlite/migrations';

describe('SQLite migration 9: claims rebuilt', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-claims-rebuild-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A database as the monitor left it at schema version 8, with claims in every state. */
  function version8(file: string) {
    const db = new Database(file);
    for (const m of SQLITE_MIGRATIONS.filter((m) => m.version <= 8)) db.exec(m.sql);
    db.pragma('user_version = 8');
    const insert = db.prepare(
      `INSERT INTO claims (handoff, key, state, attempt, fingerprint, claimed_at, lease_expires_at, completed_at, released_at, execution_id, workflow_id, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insert.run('kickoff', 'deal-1', 'claimed', 1, 'fp1', 1000, 61000, null, null, '11', 'w1', null);
    insert.run('kickoff', 'deal-2', 'completed', 2, null, 2000, null, 3000, null, '12', 'w1', null);
    insert.run('kickoff', 'deal-3', 'released', 1, null, 4000, null, null, 5000, '13', 'w1', 'CMS down');
    const rows = db.prepare('SELECT * FROM claims ORDER BY key').all();
    db.close();
    return rows;
  }

  it('keeps every claim, recreates the indexes and still checks the state', () => {
    const file = path.join(dir, 'monitor.db');
    const before = version8(file);
    const db = openSqlite(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1].version);
      expect(db.prepare('SELECT * FROM claims ORDER BY key').all()).toEqual(before);
      const indexes = db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'claims' AND sql IS NOT NULL ORDER BY name")
        .all()
        .map((r) => (r as { name: string }).name);
      expect(indexes).toEqual(['claims_completed', 'claims_completed_by_execution', 'claims_live_leases']);
      const schema = (db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'claims'").get() as { sql: string }).sql;
      expect(schema).not.toMatch(/\bIN\s*\(/);
      expect(() =>
        db.prepare("INSERT INTO claims (handoff, key, state, attempt, claimed_at) VALUES ('kickoff', 'deal-4', 'lost', 1, 1)").run(),
      ).toThrow(/CHECK constraint failed/);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare("SELECT name FROM sqlite_schema WHERE name LIKE 'claims_rebuilt%'").all()).toEqual([]);
    } finally {
      db.close();
    }
  });
});
