/**
 * Every failure the API reports is JSON with a code, a message a person can act on and, for bad
 * input, each problem's path. Bad input is a 4xx; a 500 means a bug in the monitor, never the caller.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { WriteHealth } from '../store/writable';

export interface ApiProblem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: ApiProblem[],
  ) {
    super(message);
  }
}

/** `items[3].key` from zod's ['items', 3, 'key']. */
export function formatPath(path: PropertyKey[]): string {
  return (
    path.reduce<string>(
      (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)),
      '',
    ) || '(body)'
  );
}

export function fromZod(error: z.ZodError, what: string): ApiError {
  const issues = error.issues.slice(0, 20).map((i) => ({ path: formatPath(i.path), message: i.message }));
  const first = issues[0];
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return new ApiError(400, 'invalid_request', `Invalid ${what}: ${first.path} ${first.message}${more}`, issues);
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'not_found', `No route ${req.method} ${req.path}; see GET /api/v1 for the API`));
};

/** body-parser's errors carry `type` and `status`; map them to our shape. */
export function errorHandler(logger: Logger, writes?: WriteHealth): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    let apiError: ApiError;
    if (err instanceof ApiError) {
      apiError = err;
    } else if (err?.type === 'entity.parse.failed') {
      apiError = isJsonPrimitive(err.body)
        ? new ApiError(400, 'invalid_request', 'The request body must be a JSON object, not a bare value')
        : new ApiError(400, 'malformed_json', `The request body is not valid JSON: ${err.message}`);
    } else if (err?.type === 'entity.too.large') {
      apiError = new ApiError(413, 'body_too_large', `The request body is larger than ${err.limit} bytes; send fewer items per request`);
    } else if (err?.type === 'encoding.unsupported' || err?.type === 'charset.unsupported') {
      apiError = new ApiError(415, 'unsupported_encoding', String(err.message));
    } else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
      apiError = new ApiError(err.status, 'bad_request', String(err.message));
    } else if (err?.code === 'SQLITE_BUSY') {
      apiError = new ApiError(503, 'store_busy', 'The ledger is busy; retry shortly');
    } else if (writes?.observe(err)) {
      // Not a monitor bug: the store refused the write (read-only, full disk). /readyz says so too.
      const failure = writes.recent()!;
      logger.error({ err, method: req.method, path: req.path, fix: failure.fix }, 'the store refused a write');
      apiError = new ApiError(
        503,
        'store_unwritable',
        `The monitor's store cannot be written right now (${failure.kind}); nothing of this request was written. Retry later; the monitor's log says what to fix`,
      );
    } else {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
      apiError = new ApiError(500, 'internal_error', 'The monitor failed to handle this request; see its log');
    }
    if (apiError.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="handoff-monitor"');
    if (apiError.status === 503) res.setHeader('Retry-After', '1');
    res.status(apiError.status).json({
      error: { code: apiError.code, message: apiError.message, ...(apiError.issues ? { issues: apiError.issues } : {}) },
    });
  };
}

/** body-parser's strict mode refuses `null`, `5` or `"x"` with a parse error; say what is really wrong. */
function isJsonPrimitive(body: unknown): boolean {
  if (typeof body !== 'string') return false;
  try {
    const value = JSON.parse(body);
    return value === null || typeof value !== 'object';
  } catch {
    return false;
  }
}
