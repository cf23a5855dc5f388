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
  {
    version: 3,
    name: 'executions, aggregates and stall inputs',
    sql: `
      -- n8n executions that belong to a handoff, one row per execution id (the collector upserts).
      CREATE TABLE executions (
        id               TEXT    NOT NULL PRIMARY KEY,
        handoff          TEXT    NOT NULL,
        workflow_id      TEXT    NOT NULL,
        status           TEXT    NOT NULL,
        finished         INTEGER NOT NULL, -- 1 once the status is final; counted exactly then
        mode             TEXT,
        started_at       INTEGER,
        stopped_at       INTEGER,
        wait_till        INTEGER,
        retry_of         TEXT,
        retry_success_id TEXT,
        failed_node      TEXT,
        error_message    TEXT,
        recovered_at     INTEGER, -- a failed run whose retry succeeded: time to recovery observed once
        outcome          TEXT,    -- detector (c): pending | ok | missing | expired; NULL when not checked
        seen_at          INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- Only unfinished runs and successes awaiting their completed claim are indexed: both sets stay small.
      CREATE INDEX executions_unfinished ON executions (started_at) WHERE finished = 0;
      CREATE INDEX executions_awaiting_outcome ON executions (handoff, stopped_at) WHERE outcome IN ('pending', 'missing');

      -- Lifetime outcome counts per handoff, bumped when a run first reaches a final status.
      CREATE TABLE execution_counters (
        handoff TEXT    NOT NULL,
        status  TEXT    NOT NULL,
        count   INTEGER NOT NULL,
        PRIMARY KEY (handoff, status)
      ) WITHOUT ROWID;

      -- Finished runs per handoff per time bucket (minutes for the 1h window, hours for 24h and 7d).
      CREATE TABLE execution_buckets (
        resolution INTEGER NOT NULL, -- bucket width in ms
        bucket     INTEGER NOT NULL, -- bucket start, epoch ms
        handoff    TEXT    NOT NULL,
        runs       INTEGER NOT NULL,
        failed     INTEGER NOT NULL,
        PRIMARY KEY (resolution, bucket, handoff)
      ) WITHOUT ROWID;

      -- Rolling totals per handoff and window: added to on ingest, aged buckets subtracted on each tick,
      -- so a scrape reads one row per (handoff, window) and never sums history.
      CREATE TABLE window_totals (
        handoff TEXT    NOT NULL,
        span    TEXT    NOT NULL, -- 1h | 24h | 7d
        runs    INTEGER NOT NULL,
        failed  INTEGER NOT NULL,
        PRIMARY KEY (handoff, span)
      ) WITHOUT ROWID;
      CREATE TABLE window_horizons (
        span    TEXT    NOT NULL PRIMARY KEY,
        horizon INTEGER NOT NULL -- first bucket still inside the window
      ) WITHOUT ROWID;

      -- Histograms kept as per-bucket counts (JSON array, one slot per bound plus +Inf).
      CREATE TABLE duration_histograms (
        metric  TEXT    NOT NULL,
        handoff TEXT    NOT NULL,
        counts  TEXT    NOT NULL,
        sum     REAL    NOT NULL,
        count   INTEGER NOT NULL,
        PRIMARY KEY (metric, handoff)
      ) WITHOUT ROWID;

      -- Last run per handoff, and since when the monitor has watched it (detector (d) needs a start).
      CREATE TABLE handoff_activity (
        handoff        TEXT    NOT NULL PRIMARY KEY,
        last_run_at    INTEGER,
        watching_since INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- The collector's watermark and other small named values.
      CREATE TABLE collector_state (
        name  TEXT NOT NULL PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      -- Detector (c) asks "did this execution complete a claim?"; only completed claims are indexed, so
      -- the claim hot path (rows inserted as 'claimed') pays nothing for it.
      CREATE INDEX claims_completed_by_execution ON claims (handoff, execution_id)
        WHERE state = 'completed' AND execution_id IS NOT NULL;
      -- Time to recovery from incidents resolved since the last fold; SLA breaches counted per handoff.
      CREATE INDEX incidents_resolved ON incidents (resolved_at) WHERE resolved_at IS NOT NULL;
      CREATE INDEX incidents_breached ON incidents (handoff) WHERE escalated_at IS NOT NULL OR kind = 'stalled';
    `,
  },
  {
    version: 4,
    name: 'dashboard reads',
    sql: `
      -- "Last success" per handoff for the dashboard: one seek per handoff instead of a walk through
      -- its failures. Only successful runs are indexed, so a failure storm's ingest pays nothing for it.
      CREATE INDEX executions_last_success ON executions (handoff, stopped_at) WHERE status = 'success';
      -- The Monday check's "incidents of the last 48 hours" reads recently seen ones; incidents_by_time
      -- already orders by last_seen_at, so nothing else is needed there.
    `,
  },
  {
    version: 5,
    name: 'handoff outcomes',
    sql: `
      -- One row per (handoff, key): what happened to that handoff of that object across every run
      -- (outcomes/decide.ts). Written only by the outcome fold, never on the claim hot path.
      CREATE TABLE handoff_outcomes (
        handoff           TEXT    NOT NULL,
        key               TEXT    NOT NULL,
        first_seen_at     INTEGER NOT NULL,
        failed_at         INTEGER,
        failure_kind      TEXT,
        last_failure_at   INTEGER,
        last_failure_kind TEXT,
        failures          INTEGER NOT NULL,
        detected_at       INTEGER,
        incident_id       INTEGER,
        completed_at      INTEGER,
        attempt           INTEGER,
        recovered_at      INTEGER,
        closed_at         INTEGER,
        last_execution_id TEXT,
        replays           INTEGER NOT NULL,
        last_replay_at    INTEGER,
        PRIMARY KEY (handoff, key)
      ) WITHOUT ROWID;
      -- The exception queue: failed, not completed, not closed by hand. Stays as small as the queue.
      CREATE INDEX handoff_outcomes_queue ON handoff_outcomes (failed_at)
        WHERE failed_at IS NOT NULL AND completed_at IS NULL AND closed_at IS NULL;
      -- A failed run names no key: the fold finds the pairs that ran in it.
      CREATE INDEX handoff_outcomes_by_execution ON handoff_outcomes (last_execution_id) WHERE last_execution_id IS NOT NULL;

      -- The Monday spot checks: the latest completed pairs.
      CREATE INDEX handoff_outcomes_completed ON handoff_outcomes (completed_at) WHERE completed_at IS NOT NULL;

      -- Pairs seen and failed per handoff per time bucket, and their rolling window totals (as for runs).
      CREATE TABLE outcome_buckets (
        resolution INTEGER NOT NULL,
        bucket     INTEGER NOT NULL,
        handoff    TEXT    NOT NULL,
        seen       INTEGER NOT NULL,
        failed     INTEGER NOT NULL,
        PRIMARY KEY (resolution, bucket, handoff)
      ) WITHOUT ROWID;
      CREATE TABLE outcome_windows (
        handoff TEXT    NOT NULL,
        span    TEXT    NOT NULL,
        seen    INTEGER NOT NULL,
        failed  INTEGER NOT NULL,
        PRIMARY KEY (handoff, span)
      ) WITHOUT ROWID;

      -- Recovery resolves the open incidents tied to a key; and says how an incident was resolved.
      ALTER TABLE incidents ADD COLUMN resolution TEXT;
      CREATE INDEX incidents_open_by_key ON incidents (handoff, idempotency_key)
        WHERE state <> 'resolved' AND idempotency_key IS NOT NULL;
    `,
  },
  {
    version: 6,
    name: 'dead alerts',
    sql: `
      -- Alerts the webhook refused (dead) are counted on /metrics, the overview, the incident page and
      -- the Monday check; they are rare, so a partial index keeps that count from walking every sent alert.
      CREATE INDEX alert_outbox_dead ON alert_outbox (incident_id) WHERE state = 'dead';
    `,
  },
  {
    version: 7,
    name: 'dashboard sessions',
    sql: `
      -- Dashboard sign-ins, shared by every replica and kept across restarts. The session id is stored
      -- only as its SHA-256: whoever reads the database cannot sign in with what they read.
      CREATE TABLE dashboard_sessions (
        id_hash    TEXT    NOT NULL PRIMARY KEY,
        csrf       TEXT    NOT NULL,
        name       TEXT,   -- who signed in, when the sign-in form asks for a name
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);
      CREATE INDEX dashboard_sessions_age ON dashboard_sessions (created_at);
    `,
  },
  {
    version: 8,
    name: 'retention and who acted',
    sql: `
      -- The hourly purge (retention/purge.ts) walks each table by age in small batches: finished runs by
      -- stop time (else start, else first sight), delivered alerts by send time (events and resolved
      -- incidents have such indexes already).
      CREATE INDEX executions_retention ON executions (coalesce(stopped_at, started_at, seen_at)) WHERE finished = 1;
      CREATE INDEX alert_outbox_sent ON alert_outbox (sent_at) WHERE state = 'sent';
      -- A purged incident takes its alerts along; without this each delete would scan the outbox.
      CREATE INDEX alert_outbox_by_incident ON alert_outbox (incident_id);
      -- SLA breaches of purged incidents, so handoff_sla_breaches_total (a counter) never goes down.
      CREATE TABLE purged_sla_breaches (
        handoff TEXT    NOT NULL PRIMARY KEY,
        count   INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- Who acknowledged and who resolved: the name given at sign-in, or \`by\` in the API body.
      ALTER TABLE incidents ADD COLUMN acknowledged_by TEXT;
      ALTER TABLE incidents ADD COLUMN resolved_by TEXT;
    `,
  },
  {
    version: 9,
    name: 'claims state check without an IN list',
    sql: `
      -- SQLite evaluates CHECK (state IN (…)) by building a small temporary table for every row it
      -- checks: inserting a claim took 3.5 µs with it and 2.7 µs without (SQLite 3.51, issue 17). The
      -- same rule written with OR costs nothing measurable. SQLite cannot
      -- change a CHECK in place (and better-sqlite3 forbids editing the schema table), so the table is
      -- rebuilt once: every row copied, the indexes created again.
      CREATE TABLE claims_rebuilt (
        handoff          TEXT    NOT NULL,
        key              TEXT    NOT NULL,
        state            TEXT    NOT NULL CHECK (state = 'claimed' OR state = 'completed' OR state = 'released'),
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
      INSERT INTO claims_rebuilt (handoff, key, state, attempt, fingerprint, claimed_at, lease_expires_at,
                                  completed_at, released_at, execution_id, workflow_id, reason)
        SELECT handoff, key, state, attempt, fingerprint, claimed_at, lease_expires_at,
               completed_at, released_at, execution_id, workflow_id, reason FROM claims;
      DROP TABLE claims;
      ALTER TABLE claims_rebuilt RENAME TO claims;
      CREATE INDEX claims_live_leases ON claims (lease_expires_at) WHERE state = 'claimed';
      CREATE INDEX claims_completed ON claims (completed_at) WHERE state = 'completed';
      CREATE INDEX claims_completed_by_execution ON claims (handoff, execution_id)
        WHERE state = 'completed' AND execution_id IS NOT NULL;
    `,
  },
  {
    version: 10,
    name: 'one open incident per deal',
    sql: `
      -- A report for a deal that already has an open incident under another dedup key joins it
      -- (incidents/decide.ts incidentToJoin); each such dedup key is listed here (JSON), so the page
      -- can say that the nightly reconcile, say, saw it too. NULL: nobody else reported it.
      ALTER TABLE incidents ADD COLUMN also_reported TEXT;
    `,
  },
  {
    version: 11,
    name: 'outcome retention',
    sql: `
      -- The hourly purge walks handoff_outcomes by age too: completed pairs along
      -- handoff_outcomes_completed, pairs closed by hand (and never completed) by the time they closed.
      CREATE INDEX handoff_outcomes_closed ON handoff_outcomes (closed_at)
        WHERE closed_at IS NOT NULL AND completed_at IS NULL;
    `,
  },
];
