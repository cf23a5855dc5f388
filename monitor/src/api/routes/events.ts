/**
 * Checkpoints from the nodes (`validated`, `invalid`, `verified`, `qa_failed`, `request_failed`…),
 * one or a batch per request, so the monitor can trace one handoff step by step.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { ContractStore } from '../../contract/store';
import type { EventStore } from '../../store/types';
import { redactDetails } from '../redact-details';
import { parseBody } from '../validate';

const eventSchema = z.strictObject({
  handoff: z.string().min(1).max(100),
  key: z.string().min(1).max(512).optional(),
  kind: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lower_snake_case word such as validated or qa_failed'),
  at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time such as 2026-01-31T12:00:00Z' }).optional(),
  execution: z
    .strictObject({
      id: z.union([z.string(), z.number()]).transform(String).optional(),
      workflowId: z.union([z.string(), z.number()]).transform(String).optional(),
    })
    .optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

const bodySchema = z.union([z.strictObject({ events: z.array(eventSchema).min(1).max(10_000) }), eventSchema]);

export function eventRoutes(deps: { events: EventStore; contracts: ContractStore; now: () => number }): Router {
  const router = Router();
  router.post('/events', async (req, res) => {
    const body = parseBody(req, bodySchema, 'event');
    const list = 'events' in body ? body.events : [body];
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
