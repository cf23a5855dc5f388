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
];
