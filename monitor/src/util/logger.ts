/**
 * Structured logs (pino). Known secret-bearing fields are censored at the logger, as a last line
 * of defence: secrets never appear in logs even when a caller forgets.
 */
import pino, { Logger } from 'pino';
import { redactString } from '../../../protocol/redact';

export const REDACTED_LOG_PATHS = [
  'token',
  'apiKey',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'config.token',
  'config.n8n.apiKey',
];

/**
 * Errors as logged: type, code, message and stack, redacted. Nothing else of the error object:
 * Postgres errors carry `where` and `detail`, which quote the failing statement's data (a request's
 * raw text), and a library error may carry the request it made.
 */
export function logError(err: unknown, depth = 0): unknown {
  if (typeof err === 'string') return redactString(err);
  if (err === null || typeof err !== 'object') return err;
  const e = err as { name?: unknown; message?: unknown; code?: unknown; stack?: unknown; cause?: unknown };
  const type = err instanceof Error ? err.constructor?.name || 'Error' : 'Object';
  return {
    type,
    message: redactString(String(e.message ?? '')).slice(0, 1_000),
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: String(e.code) } : {}),
    ...(typeof e.stack === 'string' ? { stack: redactString(e.stack).slice(0, 4_000) } : {}),
    ...(e.cause !== undefined && depth < 3 ? { cause: logError(e.cause, depth + 1) } : {}),
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      serializers: { err: (err: unknown) => logError(err) },
      base: { service: 'handoff-monitor' },
    },
    destination,
  );
}
