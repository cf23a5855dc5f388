/**
 * Checkpoints from the nodes (`validated`, `invalid`, `verified`, `qa_failed`, `request_failed`…),
 * one or a batch per request, so the monitor can trace one handoff step by step.
 */
import { Router } from 'express';
import { z } from 'zod';
import { EVENT_LIMITS } from '../../../../protocol/events';
import { LEDGER_LIMITS } from '../../../../protocol/ledger';
import { API_ROUTES, MAX_HANDOFF_ID_LENGTH } from '../../../../protocol/paths';
import type { ContractStore } from '../../contract/store';
import type { EventStore } from '../../domain/store';
import { redactDetails } from '../redact-details';
import { jsonObject, parseBody } from '../validate';

/** The nodes split their checkpoints into batches of at most this many (the protocol's limit). */
const MAX_EVENTS_PER_REQUEST = EVENT_LIMITS.maxEventsPerRequest;
const MAX_KEY = LEDGER_LIMITS.maxKeyLength;

export const eventSchema = z.strictObject({
  handoff: z
    .string({ message: 'is required: the handoff id from the contract' })
    .min(1, 'must not be empty')
    .max(MAX_HANDOFF_ID_LENGTH, `must be at most ${MAX_HANDOFF_ID_LENGTH} characters`),
  key: z
    .string({ message: 'must be a string (the idempotency key)' })
    .min(1, 'must not be empty')
    .max(MAX_KEY, `must be at most ${MAX_KEY} characters`)
    .optional(),
  kind: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lower_snake_case word such as validated or qa_failed'),
  at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time such as 2026-01-31T12:00:00Z' }).optional(),
  execution: z
    .strictObject({
      id: z.union([z.string(), z.number()]).transform(String).optional(),
      workflowId: z.union([z.string(), z.number()]).transform(String).optional(),
    })
    .optional(),
  details: jsonObject('must be an object of details').optional(),
});

export const eventBatchSchema = z.strictObject({
  events: z
    .array(eventSchema, { message: 'must be a list of events' })
    .min(1, 'must hold at least one event')
    .max(MAX_EVENTS_PER_REQUEST, `must hold at most ${MAX_EVENTS_PER_REQUEST} events; split the batch`),
});

/** `{events: [...]}` is a batch, anything else one event: each schema alone names the field at fault. */
const isBatch = (body: unknown) => typeof body === 'object' && body !== null && Object.prototype.hasOwnProperty.call(body, 'events');

export function eventRoutes(deps: { events: EventStore; contracts: ContractStore; now: () => number }): Router {
  const router = Router();
  router.post(API_ROUTES.events, async (req, res) => {
    const list = isBatch(req.body) ? parseBody(req, eventBatchSchema, 'event').events : [parseBody(req, eventSchema, 'event')];
    const now = deps.now();
    const stored = await deps.events.append(
      list.map((e) => ({
        handoff: e.handoff,
        key: e.key,
        kind: e.kind,
        at: e.at ? Date.parse(e.at) : now,
        executionId: e.execution?.id,
        details: e.details ? redactDetails(e.details) : undefined,
      })),
    );
    res.status(202).json({ accepted: stored });
  });
  return router;
}
