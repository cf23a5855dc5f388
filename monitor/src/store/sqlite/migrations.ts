/**
 * Versioned schema for the SQLite store. The version lives in PRAGMA user_version; each entry is
 * applied once, in order, inside a transaction. Never edit a released entry: add the next one.
 */
export const SQLITE_MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'ledger',
    sql: `
      CREATE TABLE claims (
        handoff          TEXT    NOT NULL,
        key              TEXT    NOT NULL,
        state            TEXT    NOT NULL CHECK (state IN ('claimed', 'completed', 'released')),
        attempt          INTEGER NOT NULL,
        fingerprint      TEXT,
        claimed_at       INTEGER NOT NULL,
        lease_expires_at INTEGER,
        completed_at     INTEGER,
        released_at      INTEGER,
        execution_id     TEXT,
        workflow_id      TEXT,
        reason           TEXT,
        PRIMARY KEY (handoff, key)
      ) WITHOUT ROWID;
      CREATE INDEX claims_live_leases ON claims (lease_expires_at) WHERE state = 'claimed';
      CREATE INDEX claims_completed ON claims (completed_at) WHERE state = 'completed';

      -- Step-by-step trace of a handoff: claims, lease expiries, checkpoints from nodes.
      CREATE TABLE events (
        id           INTEGER PRIMARY KEY,
        handoff      TEXT    NOT NULL,
        key          TEXT,
        kind         TEXT    NOT NULL,
        at           INTEGER NOT NULL,
        execution_id TEXT,
        details      TEXT
      );
      CREATE INDEX events_by_key ON events (handoff, key, at);
      CREATE INDEX events_by_time ON events (at);

      -- Lifetime decision counts, updated in the claim transaction so scrapes never scan claims.
      CREATE TABLE claim_counters (
        handoff  TEXT    NOT NULL,
        decision TEXT    NOT NULL,
        count    INTEGER NOT NULL,
        PRIMARY KEY (handoff, decision)
      ) WITHOUT ROWID;
    `,
  },
];
