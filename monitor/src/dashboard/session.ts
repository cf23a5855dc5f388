/**
 * Dashboard sessions: the token is checked once at sign-in and exchanged for a random session id in
 * an HttpOnly, SameSite=Strict cookie, so the token itself never sits in the browser. Each session
 * carries its own CSRF token for forms that change state. Sessions live in the store (table
 * dashboard_sessions), so a restart keeps people signed in and every replica knows every session;
 * the store holds only the SHA-256 of the id, so a copy of the database signs nobody in.
 */
import { createHash, randomBytes } from 'crypto';
import type { SessionStore } from '../domain/store';

export const SESSION_COOKIE = 'hg_session';
/** A working day and then some: long enough for a Monday check, short enough that a lost laptop ages out. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** Bounds the table when something signs in in a loop; the oldest sessions go first. */
const MAX_SESSIONS = 1_000;
/** What we hand out: 32 random bytes, base64url. Anything else in the cookie is not worth a query. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export interface Session {
  id: string;
  csrf: string;
  expiresAt: number;
  /** Who signed in, when the sign-in form asked for a name. */
  name?: string;
}

export interface Sessions {
  create(opts?: { name?: string }): Promise<Session>;
  get(id: string | undefined): Promise<Session | undefined>;
  destroy(id: string | undefined): Promise<void>;
}

export const hashSessionId = (id: string) => createHash('sha256').update(id).digest('hex');

export function createSessions(store: SessionStore, now: () => number, ttlMs = SESSION_TTL_MS): Sessions {
  return {
    async create(opts = {}) {
      const at = now();
      const session: Session = {
        id: randomBytes(32).toString('base64url'),
        csrf: randomBytes(24).toString('base64url'),
        expiresAt: at + ttlMs,
        name: opts.name,
      };
      await store.create(
        { idHash: hashSessionId(session.id), csrf: session.csrf, name: opts.name ?? null, createdAt: at, expiresAt: session.expiresAt },
        { now: at, max: MAX_SESSIONS },
      );
      return session;
    },
    async get(id) {
      if (!id || !SESSION_ID.test(id)) return undefined;
      const stored = await store.get(hashSessionId(id), now());
      return stored && { id, csrf: stored.csrf, expiresAt: stored.expiresAt, ...(stored.name !== null ? { name: stored.name } : {}) };
    },
    async destroy(id) {
      if (id && SESSION_ID.test(id)) await store.destroy(hashSessionId(id));
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
