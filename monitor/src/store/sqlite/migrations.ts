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
  {
    version: 2,
    name: 'incidents and alert outbox',
    sql: `
      CREATE TABLE incidents (
        id              INTEGER PRIMARY KEY,
        handoff         TEXT    NOT NULL,
        dedup_key       TEXT    NOT NULL,
        kind            TEXT,
        title           TEXT    NOT NULL,
        severity        TEXT    NOT NULL,
        state           TEXT    NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
        owner           TEXT    NOT NULL, -- JSON person
        owner_name      TEXT    NOT NULL, -- copies for the ?owner= filter
        owner_channel   TEXT,
        owner_source    TEXT    NOT NULL,
        sla_due_at      INTEGER NOT NULL,
        first_seen_at   INTEGER NOT NULL,
        last_seen_at    INTEGER NOT NULL,
        count           INTEGER NOT NULL,
        acknowledged_at INTEGER,
        resolved_at     INTEGER,
        escalated_at    INTEGER,
        escalated_to    TEXT,
        error           TEXT,
        context         TEXT,
        execution       TEXT,
        idempotency_key TEXT
      );
      -- At most one unresolved incident per dedup key: a retry storm is one incident even when two
      -- processes report at once.
      CREATE UNIQUE INDEX incidents_open_dedup ON incidents (handoff, dedup_key) WHERE state <> 'resolved';
      CREATE INDEX incidents_escalation_due ON incidents (sla_due_at) WHERE state <> 'resolved' AND escalated_at IS NULL;
      CREATE INDEX incidents_by_handoff ON incidents (handoff, last_seen_at);
      CREATE INDEX incidents_by_time ON incidents (last_seen_at);

      -- Alerts written in the transaction that changed the incident; the worker marks them sent.
      CREATE TABLE alert_outbox (
        id              INTEGER PRIMARY KEY,
        incident_id     INTEGER NOT NULL REFERENCES incidents (id),
        kind            TEXT    NOT NULL,
        idempotency_key TEXT    NOT NULL UNIQUE,
        message         TEXT    NOT NULL, -- redacted JSON snapshot
        state           TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        created_at      INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        sent_at         INTEGER,
        last_error      TEXT
      );
      CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at) WHERE state = 'pending';
    `,
  },
];
