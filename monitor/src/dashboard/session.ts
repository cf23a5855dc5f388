/**
 * Dashboard sessions: the token is checked once at sign-in and exchanged for a random session id in
 * an HttpOnly, SameSite=Strict cookie, so the token itself never sits in the browser. Each session
 * carries its own CSRF token for forms that change state. Kept in memory: a restart signs people
 * out, which is cheaper than storing session secrets in the ledger's database.
 */
import { randomBytes } from 'crypto';

export const SESSION_COOKIE = 'hg_session';
/** A working day and then some: long enough for a Monday check, short enough that a lost laptop ages out. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** Bounds memory when something signs in in a loop; the oldest sessions go first. */
const MAX_SESSIONS = 1_000;

export interface Session {
  id: string;
  csrf: string;
  expiresAt: number;
}

export interface Sessions {
  create(): Session;
  get(id: string | undefined): Session | undefined;
  destroy(id: string | undefined): void;
}

export function createSessions(now: () => number, ttlMs = SESSION_TTL_MS): Sessions {
  const sessions = new Map<string, Session>();
  return {
    create() {
      if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
      const session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(24).toString('base64url'), expiresAt: now() + ttlMs };
      sessions.set(session.id, session);
      return session;
    },
    get(id) {
      if (!id) return undefined;
      const s = sessions.get(id);
      if (s && s.expiresAt <= now()) {
        sessions.delete(id);
        return undefined;
      }
      return s;
    },
    destroy(id) {
      if (id) sessions.delete(id);
    },
  };
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(value: string, opts: { secure: boolean; maxAgeSeconds: number }): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${opts.maxAgeSeconds}`,
    ...(opts.secure ? ['Secure'] : []),
  ].join('; ');
}
