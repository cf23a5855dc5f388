/**
 * Who is asking: a session (cookie), a script (Authorization: Bearer) or, with
 * HANDOFF_DASHBOARD_PUBLIC, anyone on the trusted network — read-only. Changing state always needs
 * the token or a session, plus proof the request came from our own page (CSRF token, same origin).
 */
import type { Request } from 'express';
import { bearerToken, tokenMatches } from '../api/auth';
import { readCookie, SESSION_COOKIE, type Session, type Sessions } from './session';

export interface Access {
  session?: Session;
  /** A valid bearer token came with the request (scripts, curl). */
  bearer: boolean;
  /** May read the pages. */
  canView: boolean;
  /** May acknowledge and resolve. */
  canAct: boolean;
}

export function accessOf(req: Request, deps: { token: string; sessions: Sessions; public: boolean }): Access {
  const session = deps.sessions.get(readCookie(req.headers.cookie, SESSION_COOKIE));
  const bearer = req.headers.authorization !== undefined && tokenMatches(deps.token, bearerToken(req.headers.authorization));
  const signedIn = Boolean(session) || bearer;
  return { session, bearer, canView: signedIn || deps.public, canAct: signedIn };
}

/**
 * A browser names the page a POST came from in Origin (and Sec-Fetch-Site); another site's form
 * or script is refused even before the CSRF token is looked at. Requests without either header
 * (curl with a bearer token) are not from a browser and carry no ambient credentials.
 */
export function crossSite(req: Request): boolean {
  const origin = req.get('origin');
  if (origin !== undefined && origin !== `${req.protocol}://${req.get('host')}`) return true;
  const site = req.get('sec-fetch-site');
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}
