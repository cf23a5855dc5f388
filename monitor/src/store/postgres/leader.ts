/**
 * Leader election on Postgres: the leader is the replica whose dedicated connection holds a session
 * advisory lock (pg_try_advisory_lock). The lock lives exactly as long as that session:
 *
 * - a leader that stops lets go at once (pg_advisory_unlock), and a follower takes over within its
 *   retry interval;
 * - a leader that dies (SIGKILL, a crash) closes its socket, Postgres ends the session and frees the
 *   lock, and a follower takes over within its retry interval;
 * - a leader cut off from the database notices on its next heartbeat (a query every interval, with a
 *   timeout) and stops its duties; Postgres frees the lock only once its TCP keepalives give up on the
 *   silent client (set short below), which is later, so two leaders never run at once.
 *
 * The same connection LISTENs for nudges: a follower that queued an alert NOTIFYs the leader, whose
 * outbox sends it at once instead of on its next tick. Needs a direct connection (or a session-mode
 * pooler): a transaction-pooling PgBouncer would hand the lock's session to others.
 */
import { Client } from 'pg';
import type { Logger } from 'pino';
import type { Leadership } from '../../leader/leadership';
import { LEADER_LOCK } from './locks';
import { parseTarget } from './pool';

const CHANNEL = 'handoff_guard_leader';
/** How often a follower tries for the lock and a leader checks its session. The takeover bound. */
export const LEADER_RETRY_MS = 1_000;
/** A heartbeat that takes longer than this means the database is out of reach: step down. */
const QUERY_TIMEOUT_MS = 3_000;
/**
 * Server-side TCP keepalives of the lock's session: a leader that vanished without closing its socket
 * (its machine lost power) is dropped after ~5 + 3 × 2 = 11 s, freeing the lock. Longer than the
 * heartbeat timeout above, so the old leader has stepped down before anyone else can lead.
 */
const KEEPALIVES = 'SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3';

export function createPostgresLeadership(location: string, opts: { logger: Logger; retryMs?: number }): Leadership {
  const { connectionString } = parseTarget(location);
  const retryMs = opts.retryMs ?? LEADER_RETRY_MS;
  const changeListeners: ((leader: boolean) => void)[] = [];
  const nudgeListeners: (() => void)[] = [];
  let client: Client | undefined;
  let leader = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let lastProblem: string | undefined;

  const setLeader = (next: boolean) => {
    if (next === leader) return;
    leader = next;
    for (const l of changeListeners) l(next);
  };

  /** The session is gone or unusable: whatever it held is lost with it. */
  const drop = (err: unknown) => {
    const c = client;
    client = undefined;
    c?.end().catch(() => undefined);
    const problem = (err as Error)?.message ?? String(err);
    if (leader) opts.logger.error({ err: problem }, 'lost the leader lock connection to Postgres: stepping down');
    else if (problem !== lastProblem) opts.logger.warn({ err: problem }, 'cannot reach Postgres for the leader election; retrying');
    lastProblem = problem;
    setLeader(false);
  };

  const connect = async (): Promise<Client> => {
    const c = new Client({
      connectionString,
      application_name: 'handoff-monitor leader election',
      keepAlive: true,
      keepAliveInitialDelayMillis: 2_000,
      connectionTimeoutMillis: QUERY_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
    });
    c.on('error', (err) => {
      if (client === c) drop(err);
    });
    c.on('notification', (msg) => {
      if (msg.channel === CHANNEL && leader) for (const l of nudgeListeners) l();
    });
    try {
      await c.connect();
      await c.query(KEEPALIVES);
      await c.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    return c;
  };

  const tick = async () => {
    try {
      client ??= await connect();
      if (stopped) return;
      if (leader) {
        // The lock lives as long as this session; a query proves the session does.
        await client.query('SELECT 1');
      } else {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK]);
        if (rows[0]?.ok && !stopped) {
          lastProblem = undefined;
          setLeader(true);
        }
      }
    } catch (err) {
      drop(err);
    }
  };

  const loop = () => {
    if (stopped) return;
    ticking = tick().finally(() => {
      ticking = undefined;
      if (!stopped) {
        timer = setTimeout(loop, retryMs);
        timer.unref();
      }
    });
  };

  return {
    mode: 'postgres-lock',
    isLeader: () => leader,
    async start() {
      if (timer || ticking) return;
      ticking = tick().finally(() => {
        ticking = undefined;
      });
      await ticking;
      if (!stopped) {
        timer = setTimeout(loop, retryMs);
        timer.unref();
      }
    },
    onChange: (listener) => void changeListeners.push(listener),
    nudge() {
      client?.query('SELECT pg_notify($1, $2)', [CHANNEL, 'outbox']).catch(() => undefined);
    },
    onNudge: (listener) => void nudgeListeners.push(listener),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await ticking;
      const c = client;
      client = undefined;
      if (!c) return;
      // Let go explicitly, so a follower's next try wins without waiting for the session to end.
      if (leader) await c.query('SELECT pg_advisory_unlock($1)', [LEADER_LOCK]).catch(() => undefined);
      leader = false;
      await c.end().catch(() => undefined);
    },
  };
}
