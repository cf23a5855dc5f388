/** Bearer-token check for the API. Constant-time comparison, so response timing leaks nothing. */
import { createHash, timingSafeEqual } from 'crypto';
import type { RequestHandler } from 'express';
import { ApiError } from './errors';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  return timingSafeEqual(digest(expected), digest(presented));
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

export function requireToken(token: string): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header) {
      return next(new ApiError(401, 'unauthorized', 'Missing token: send the header "Authorization: Bearer <HANDOFF_MONITOR_TOKEN>"'));
    }
    if (!tokenMatches(token, bearerToken(header))) {
      return next(new ApiError(401, 'unauthorized', 'The bearer token does not match HANDOFF_MONITOR_TOKEN'));
    }
    next();
  };
}
