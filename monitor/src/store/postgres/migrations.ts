/**
 * Versioned schema for the Postgres store, table for table the SQLite schema (sqlite/migrations.ts)
 * so both stores hold the same facts. Applied in order, once, recorded in schema_migrations.
 * Never edit a released entry: add the next one.
 *
 * Times are epoch milliseconds (bigint) as in SQLite. Keys use the "C" collation: byte order, like
 * SQLite's BINARY, and the order in which claim batches lock their rows. JSON columns are `json`,
 * not `jsonb`, so a stored document comes back exactly as it was written (key order included).
 */
export const POSTGRES_MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'ledger',
    sql: `
      CREATE TABLE claims (
        handoff          text COLLATE "C" NOT NULL,
        key              text COLLATE "C" NOT NULL,
        state            text    NOT NULL CHECK (state IN ('claimed', 'completed', 'released')),
        attempt          integer NOT NULL,
        fingerprint      text,
        claimed_at       bigint  NOT NULL,
        lease_expires_at bigint,
        completed_at     bigint,
        released_at      bigint,
        execution_id     text,
        workflow_id      text,
        reason           text,
        PRIMARY KEY (handoff, key)
      );
      CREATE INDEX claims_live_leases ON claims (lease_expires_at) WHERE state = 'claimed';
      CREATE INDEX claims_completed ON claims (completed_at) WHERE state = 'completed';

      CREATE TABLE events (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        handoff      text   NOT NULL,
        key          text,
        kind         text   NOT NULL,
        at           bigint NOT NULL,
        execution_id text,
        details      json
      );
      CREATE INDEX events_by_key ON events (handoff, key, at);
      CREATE INDEX events_by_time ON events (at);

      CREATE TABLE claim_counters (
        handoff  text COLLATE "C" NOT NULL,
        decision text COLLATE "C" NOT NULL,
        count    bigint NOT NULL,
        PRIMARY KEY (handoff, decision)
      );
    `,
  },
  {
    version: 2,
    name: 'incidents and alert outbox',
    sql: `
      CREATE TABLE incidents (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        handoff         text    NOT NULL,
        dedup_key       text    NOT NULL,
        kind            text,
        title           text    NOT NULL,
        severity        text    NOT NULL,
        state           text    NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
        owner           json    NOT NULL,
        owner_name      text    NOT NULL, -- copies for the ?owner= filter
        owner_channel   text,
        owner_source    text    NOT NULL,
        sla_due_at      bigint  NOT NULL,
        first_seen_at   bigint  NOT NULL,
        last_seen_at    bigint  NOT NULL,
        count           integer NOT NULL,
        acknowledged_at bigint,
        resolved_at     bigint,
        escalated_at    bigint,
        escalated_to    json,
        error           json,
        context         json,
        execution       json,
        idempotency_key text
      );
      -- At most one unresolved incident per dedup key, across every replica writing here.
      CREATE UNIQUE INDEX incidents_open_dedup ON incidents (handoff, dedup_key) WHERE state <> 'resolved';
      CREATE INDEX incidents_escalation_due ON incidents (sla_due_at) WHERE state <> 'resolved' AND escalated_at IS NULL;
      CREATE INDEX incidents_by_handoff ON incidents (handoff, last_seen_at);
      CREATE INDEX incidents_by_time ON incidents (last_seen_at);

      CREATE TABLE alert_outbox (
        id              bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        incident_id     bigint  NOT NULL REFERENCES incidents (id),
        kind            text    NOT NULL,
        idempotency_key text    NOT NULL UNIQUE,
        message         json    NOT NULL, -- redacted snapshot
        state           text    NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
        attempts        integer NOT NULL DEFAULT 0,
        created_at      bigint  NOT NULL,
        next_attempt_at bigint  NOT NULL,
        sent_at         bigint,
        last_error      text
      );
      CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at) WHERE state = 'pending';
    `,
  },
  {
    version: 3,
    name: 'executions, aggregates and stall inputs',
    sql: `
      CREATE TABLE executions (
        id               text COLLATE "C" NOT NULL PRIMARY KEY,
        handoff          text    NOT NULL,
        workflow_id      text    NOT NULL,
        status           text    NOT NULL,
        finished         integer NOT NULL, -- 1 once the status is final; counted exactly then
        mode             text,
        started_at       bigint,
        stopped_at       bigint,
        wait_till        bigint,
        retry_of         text,
        retry_success_id text,
        failed_node      text,
        error_message    text,
        recovered_at     bigint,
        outcome          text,    -- detector (c): pending | ok | missing | expired; NULL when not checked
        seen_at          bigint  NOT NULL,
        updated_at       bigint  NOT NULL
      );
      CREATE INDEX executions_unfinished ON executions (started_at) WHERE finished = 0;
      CREATE INDEX executions_awaiting_outcome ON executions (handoff, stopped_at) WHERE outcome IN ('pending', 'missing');

      CREATE TABLE execution_counters (
        handoff text   NOT NULL,
        status  text   NOT NULL,
        count   bigint NOT NULL,
        PRIMARY KEY (handoff, status)
      );

      CREATE TABLE execution_buckets (
        resolution bigint  NOT NULL, -- bucket width in ms
        bucket     bigint  NOT NULL, -- bucket start, epoch ms
        handoff    text    NOT NULL,
        runs       integer NOT NULL,
        failed     integer NOT NULL,
        PRIMARY KEY (resolution, bucket, handoff)
      );

      CREATE TABLE window_totals (
        handoff text    NOT NULL,
        span    text    NOT NULL, -- 1h | 24h | 7d
        runs    integer NOT NULL,
        failed  integer NOT NULL,
        PRIMARY KEY (handoff, span)
      );
      CREATE TABLE window_horizons (
        span    text   NOT NULL PRIMARY KEY,
        horizon bigint NOT NULL
      );

      CREATE TABLE duration_histograms (
        metric  text             NOT NULL,
        handoff text             NOT NULL,
        counts  json             NOT NULL, -- one slot per bound plus +Inf
        sum     double precision NOT NULL,
        count   bigint           NOT NULL,
        PRIMARY KEY (metric, handoff)
      );

      CREATE TABLE handoff_activity (
        handoff        text   NOT NULL PRIMARY KEY,
        last_run_at    bigint,
        watching_since bigint NOT NULL
      );

      CREATE TABLE collector_state (
        name  text NOT NULL PRIMARY KEY,
        value text NOT NULL
      );

      CREATE INDEX claims_completed_by_execution ON claims (handoff, execution_id)
        WHERE state = 'completed' AND execution_id IS NOT NULL;
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
        handoff           text COLLATE "C"    NOT NULL,
        key               text COLLATE "C"    NOT NULL,
        first_seen_at     bigint NOT NULL,
        failed_at         bigint,
        failure_kind      text,
        last_failure_at   bigint,
        last_failure_kind text,
        failures          bigint NOT NULL,
        detected_at       bigint,
        incident_id       bigint,
        completed_at      bigint,
        attempt           bigint,
        recovered_at      bigint,
        closed_at         bigint,
        last_execution_id text,
        replays           bigint NOT NULL,
        last_replay_at    bigint,
        PRIMARY KEY (handoff, key)
      );
      -- The exception queue: failed, not completed, not closed by hand. Stays as small as the queue.
      CREATE INDEX handoff_outcomes_queue ON handoff_outcomes (failed_at)
        WHERE failed_at IS NOT NULL AND completed_at IS NULL AND closed_at IS NULL;
      -- A failed run names no key: the fold finds the pairs that ran in it.
      CREATE INDEX handoff_outcomes_by_execution ON handoff_outcomes (last_execution_id) WHERE last_execution_id IS NOT NULL;

      -- The Monday spot checks: the latest completed pairs.
      CREATE INDEX handoff_outcomes_completed ON handoff_outcomes (completed_at) WHERE completed_at IS NOT NULL;

      -- Pairs seen and failed per handoff per time bucket, and their rolling window totals (as for runs).
      CREATE TABLE outcome_buckets (
        resolution bigint NOT NULL,
        bucket     bigint NOT NULL,
        handoff    text    NOT NULL,
        seen       bigint NOT NULL,
        failed     bigint NOT NULL,
        PRIMARY KEY (resolution, bucket, handoff)
      );
      CREATE TABLE outcome_windows (
        handoff text    NOT NULL,
        span    text    NOT NULL,
        seen    bigint NOT NULL,
        failed  bigint NOT NULL,
        PRIMARY KEY (handoff, span)
      );

      -- Recovery resolves the open incidents tied to a key; and says how an incident was resolved.
      ALTER TABLE incidents ADD COLUMN resolution text;
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
        id_hash    text   COLLATE "C" NOT NULL PRIMARY KEY,
        csrf       text   NOT NULL,
        name       text,   -- who signed in, when the sign-in form asks for a name
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL
      );
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
      CREATE INDEX executions_retention ON executions ((coalesce(stopped_at, started_at, seen_at))) WHERE finished = 1;
      CREATE INDEX alert_outbox_sent ON alert_outbox (sent_at) WHERE state = 'sent';
      -- A purged incident takes its alerts along; without this each delete would scan the outbox.
      CREATE INDEX alert_outbox_by_incident ON alert_outbox (incident_id);
      -- SLA breaches of purged incidents, so handoff_sla_breaches_total (a counter) never goes down.
      CREATE TABLE purged_sla_breaches (
        handoff text   NOT NULL PRIMARY KEY,
        count   bigint NOT NULL
      );
      -- Who acknowledged and who resolved: the name given at sign-in, or \`by\` in the API body.
      ALTER TABLE incidents ADD COLUMN acknowledged_by text;
      ALTER TABLE incidents ADD COLUMN resolved_by text;
    `,
  },
  {
    version: 9,
    name: 'one open incident per deal',
    sql: `
      -- A report for a deal that already has an open incident under another dedup key joins it
      -- (incidents/decide.ts incidentToJoin); each such dedup key is listed here, so the page can say
      -- that the nightly reconcile, say, saw it too. NULL: nobody else reported it.
      ALTER TABLE incidents ADD COLUMN also_reported json;
    `,
  },
  {
    version: 10,
    name: 'outcome retention',
    sql: `
      -- The hourly purge walks handoff_outcomes by age too: completed pairs along
      -- handoff_outcomes_completed, pairs closed by hand (and never completed) by the time they closed.
      CREATE INDEX handoff_outcomes_closed ON handoff_outcomes (closed_at)
        WHERE closed_at IS NOT NULL AND completed_at IS NULL;
    `,
  },
];
