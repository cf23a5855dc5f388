/**
 * Who is asking: a session (cookie), a script (Authorization: Bearer) or, with
 * HANDOFF_DASHBOARD_PUBLIC, anyone on the trusted network — read-only. Changing state always needs
 * the token or a session, plus proof the request came from our own page (CSRF token, same origin).
 */
import type { Request } from 'express';
import { bearerToken, tokenMatches } from '../api/auth';
import { describeTrustProxy, type TrustProxy } from '../config/trust-proxy';
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

export async function accessOf(req: Request, deps: { token: string; sessions: Sessions; public: boolean }): Promise<Access> {
  const session = await deps.sessions.get(readCookie(req.headers.cookie, SESSION_COOKIE));
  const bearer = req.headers.authorization !== undefined && tokenMatches(deps.token, bearerToken(req.headers.authorization));
  const signedIn = Boolean(session) || bearer;
  return { session, bearer, canView: signedIn || deps.public, canAct: signedIn };
}

/**
 * A browser names the page a POST came from in Origin (and Sec-Fetch-Site); another site's form
 * or script is refused even before the CSRF token is looked at. Requests without either header
 * (curl with a bearer token) are not from a browser and carry no ambient credentials.
 *
 * The origin the browser used is compared with the one this request reached: behind a reverse proxy
 * that HANDOFF_TRUST_PROXY trusts, that is the forwarded scheme and host (X-Forwarded-Proto,
 * X-Forwarded-Host, else Host), as express's req.protocol and req.host read them.
 * Returns undefined for a same-site request, else the sentence that explains the refusal.
 */
export function crossSite(req: Request, deps: { what: string; trustProxy?: TrustProxy }): string | undefined {
  const origin = req.get('origin');
  const ours = `${req.protocol}://${req.host ?? ''}`;
  if (origin !== undefined && !sameOrigin(origin, ours)) {
    return (
      untrustedProxy(req, origin, ours, deps.trustProxy ?? false) ??
      `This request came from another site (${origin.slice(0, 200)}, not ${ours}); ${deps.what} from the dashboard itself.`
    );
  }
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return `This request came from another site; ${deps.what} from the dashboard itself.`;
  return undefined;
}

/** Origins compared as URLs: `https://h:443` is `https://h`, and case does not matter in the host. */
function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

function sameHost(a: string, b: string): boolean {
  try {
    return new URL(a).hostname === new URL(b).hostname;
  } catch {
    return false;
  }
}

/**
 * A TLS-terminating proxy the monitor does not trust: the browser is at https://…, the socket is
 * plain http and X-Forwarded-Proto says https. Then the fix is a setting, and the page names it.
 */
function untrustedProxy(req: Request, origin: string, ours: string, trustProxy: TrustProxy): string | undefined {
  const forwarded = req.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const peer = (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
  if (forwarded === undefined && !encrypted && trustProxy !== false && origin.startsWith('https:') && sameHost(origin, ours)) {
    // Trusted, but the proxy does not say which scheme the browser used.
    return `This request came through a reverse proxy at ${peer} that does not send X-Forwarded-Proto, so your browser is at ${origin.slice(0, 200)} but the monitor sees ${ours}. Make the proxy send it (nginx: proxy_set_header X-Forwarded-Proto $scheme;).`;
  }
  if (forwarded !== 'https' || encrypted || req.protocol === 'https') return undefined;
  const seen = `your browser is at ${origin.slice(0, 200)} but the monitor sees ${ours}`;
  if (trustProxy === false) {
    return (
      `This request came through a reverse proxy that terminates TLS (X-Forwarded-Proto: https), and the monitor does not trust proxies, so ${seen}. ` +
      `Set HANDOFF_TRUST_PROXY to the proxy's address (${peer} here) or to 1 for the one proxy in front of the monitor, and restart it.`
    );
  }
  return (
    `This request came through a reverse proxy at ${peer} (X-Forwarded-Proto: https) that HANDOFF_TRUST_PROXY (${describeTrustProxy(trustProxy)}) does not trust, so ${seen}. ` +
    `Add ${peer} to HANDOFF_TRUST_PROXY, and restart the monitor.`
  );
}
