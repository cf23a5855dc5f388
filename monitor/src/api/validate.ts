/** Request bodies as zod schemas; the routes see only parsed, typed values. */
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { LEDGER_LIMITS } from '../../../protocol/ledger';
import { MAX_HANDOFF_ID_LENGTH } from '../../../protocol/paths';
import { ApiError, fromZod } from './errors';
import { findBadText } from './text';

const handoffId = z
  .string({ message: 'is required: the handoff id from the contract' })
  .min(1, 'must not be empty')
  .max(MAX_HANDOFF_ID_LENGTH);
const key = z
  .string({ message: 'must be a string (the idempotency key)' })
  .min(1, 'must not be empty: the item has no idempotency key')
  .max(LEDGER_LIMITS.maxKeyLength, `must be at most ${LEDGER_LIMITS.maxKeyLength} characters`);

export const claimRequestSchema = z.strictObject({
  handoff: handoffId,
  leaseSeconds: z
    .number({ message: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(LEDGER_LIMITS.minLeaseSeconds, `must be at least ${LEDGER_LIMITS.minLeaseSeconds}`)
    .max(LEDGER_LIMITS.maxLeaseSeconds, `must be at most ${LEDGER_LIMITS.maxLeaseSeconds} (7 days)`)
    .optional(),
  execution: z
    .strictObject({
      id: z.union([z.string(), z.number()]).transform(String).optional(),
      workflowId: z.union([z.string(), z.number()]).transform(String).optional(),
    })
    .optional(),
  items: z
    .array(
      z.strictObject({
        key,
        fingerprint: z.string().min(1).max(LEDGER_LIMITS.maxFingerprintLength).optional(),
      }),
      { message: 'must be a list of {key, fingerprint?}' },
    )
    .min(1, 'must hold at least one item')
    .max(LEDGER_LIMITS.maxItemsPerRequest, `must hold at most ${LEDGER_LIMITS.maxItemsPerRequest} items; split the batch`),
});

export const settleRequestSchema = z.strictObject({
  handoff: handoffId,
  keys: z
    .array(key, { message: 'must be a list of keys' })
    .min(1, 'must hold at least one key')
    .max(LEDGER_LIMITS.maxItemsPerRequest, `must hold at most ${LEDGER_LIMITS.maxItemsPerRequest} keys; split the batch`),
  reason: z.string().max(2_000).optional(),
});

/** Parses `req.body`; a missing or non-JSON body is a 400 that says so, not a zod riddle. */
export function parseBody<T extends z.ZodType>(req: Request, schema: T, what: string): z.output<T> {
  if (req.body === undefined || !req.is('application/json')) {
    throw new ApiError(415, 'unsupported_media_type', `Send the ${what} as JSON with "Content-Type: application/json"`);
  }
  // Before the schema: a NUL or a broken surrogate anywhere (keys included) is refused by path,
  // whatever field holds it, so no store ever sees text it cannot keep.
  const bad = findBadText(req.body);
  if (bad) throw new ApiError(400, 'invalid_request', `Invalid ${what}: ${bad.path} ${bad.message}`, [bad]);
  const parsed = schema.safeParse(req.body);
  if (!parsed.success) throw fromZod(parsed.error, what);
  return parsed.data;
}

/** Query parameters hold text the stores read with: the same rule as bodies, for every route. */
export const rejectBadQuery: RequestHandler = (req, _res, next) => {
  const bad = findBadText(req.query);
  next(bad ? new ApiError(400, 'invalid_request', `Invalid query: ${bad.path} ${bad.message}`, [bad]) : undefined);
};

/**
 * A JSON object with any keys (a payload sample, checkpoint details). zod's record refuses an object
 * that has its own `constructor` key, a perfectly good data key; this passes the object on untouched
 * (redaction copies it, dropping `__proto__`).
 */
export const jsonObject = (message: string) =>
  z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message });
