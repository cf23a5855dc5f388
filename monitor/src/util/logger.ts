/**
 * Structured logs (pino). Known secret-bearing fields are censored at the logger, as a last line
 * of defence: secrets never appear in logs even when a caller forgets.
 */
import pino, { Logger } from 'pino';

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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' }, base: { service: 'handoff-monitor' } }, destination);
}
