/**
 * The advisory lock ids the Postgres store takes, in one place so they stay distinct.
 *
 * They are bigint ids written as decimal text, which node-postgres passes to Postgres as is. A JavaScript
 * number above 2^53 is rounded first: that is how "handoff" and "handofg" in 7-byte ASCII
 * (0x68616e646f6666, 0x68616e646f6667) both reached Postgres as 29380524337227370, and the aggregate
 * writers shared the migrations' lock (test/monitor/postgres-locks.test.ts keeps them apart now).
 */

/**
 * Every transaction that writes aggregates takes this one (aggregates.ts). It keeps the id the
 * aggregate writers have always actually sent, so during a rolling upgrade old and new replicas still
 * write aggregates one after another.
 */
export const AGGREGATES_LOCK = '29380524337227370';

/** Check-and-apply of migrations (migrate.ts): "hgmigr" in ASCII, recognisable in pg_locks. */
export const MIGRATION_LOCK = String(0x68676d696772);

/** The leader's session lock (leader.ts): "leader" in ASCII, the id it has always had. */
export const LEADER_LOCK = String(0x6c6561646572);

/**
 * A report for a deal (handoff + idempotency key) takes pg_advisory_xact_lock(this, hash of the pair)
 * (incidents.ts): the two-integer lock space, which never meets the bigint ids above. "hgik" in ASCII.
 */
export const INCIDENT_KEY_LOCK_CLASS = 0x6867696b;

export const ADVISORY_LOCKS = { AGGREGATES_LOCK, MIGRATION_LOCK, LEADER_LOCK } as const;
