/**
 * Checkpoints from the nodes (`validated`, `invalid`, `verified`, `qa_failed`, `request_failed`…),
 * one or a batch per request, so the monitor can trace one handoff step by step.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { ContractStore } from '../../contract/store';
import type { EventStore } from '../../store/types';
import { redactDetails } from '../redact-details';
import { jsonObject, parseBody } from '../validate';

/** The nodes send at most this many per request (MAX_EVENTS_PER_REQUEST in nodes/shared/checkpoints.ts). */
const MAX_EVENTS_PER_REQUEST = 10_000;

const eventSchema = z.strictObject({
  handoff: z.string({ message: 'is required: the handoff id from the contract' }).min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  key: z.string({ message: 'must be a string (the idempotency key)' }).min(1, 'must not be empty').max(512, 'must be at most 512 characters').optional(),
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

const batchSchema = z.strictObject({
  events: z
    .array(eventSchema, { message: 'must be a list of events' })
    .min(1, 'must hold at least one event')
    .max(MAX_EVENTS_PER_REQUEST, `must hold at most ${MAX_EVENTS_PER_REQUEST} events; split the batch`),
});

/** `{events: [...]}` is a batch, anything else one event: each schema alone names the field at fault. */
const isBatch = (body: unknown) => typeof body === 'object' && body !== null && Object.prototype.hasOwnProperty.call(body, 'events');

export function eventRoutes(deps: { events: EventStore; contracts: ContractStore; now: () => number }): Router {
  const router = Router();
  router.post('/events', async (req, res) => {
    const list = isBatch(req.body) ? parseBody(req, batchSchema, 'event').events : [parseBody(req, eventSchema, 'event')];
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
