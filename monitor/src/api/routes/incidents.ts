/**
 * The incidents API (docs/architecture.md): report with dedup, list and filter, ack, resolve. A report
 * opens through the one incident service (incidents/open.ts), which redacts everything before the store
 * sees it: the monitor never trusts the nodes.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import {
  INCIDENT_LIMITS,
  INCIDENT_SEVERITIES,
  type IncidentListResponse,
  type IncidentPerson,
  type IncidentResponse,
} from '../../../../protocol/incidents';
import { API_ROUTES, MAX_HANDOFF_ID_LENGTH } from '../../../../protocol/paths';
import type { ContractStore } from '../../contract/store';
import type { IncidentAction } from '../../domain/incidents';
import { actorName } from '../../incidents/actor';
import { createIncidentOpener } from '../../incidents/open';
import type { IncidentStore } from '../../domain/store';
import { ApiError, fromZod } from '../errors';
import { jsonObject, parseBody } from '../validate';

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const person = z.strictObject({
  name: text(200).min(1, 'needs a name'),
  channel: text(200).min(1).optional(),
  email: text(320).optional(),
});

export const incidentRequestSchema = z.strictObject({
  handoff: z.string({ message: 'is required: the handoff id from the contract' }).min(1, 'must not be empty').max(MAX_HANDOFF_ID_LENGTH),
  dedupKey: z
    .string({ message: 'is required: failures with the same dedup key while open are one incident' })
    .min(1, 'must not be empty')
    .max(INCIDENT_LIMITS.maxDedupKeyLength, `must be at most ${INCIDENT_LIMITS.maxDedupKeyLength} characters`),
  title: z.string({ message: 'is required: one line a person reads first' }).min(1, 'must not be empty').max(2_000),
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lower_snake_case word such as request_failed or invalid')
    .optional(),
  severity: z.enum(INCIDENT_SEVERITIES, { message: `must be one of ${INCIDENT_SEVERITIES.join(', ')}` }).optional(),
  owner: z.union([text(200).min(1), person], { message: 'must be a name or {name, channel?, email?}' }).optional(),
  slaSeconds: z
    .number({ message: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1')
    .max(INCIDENT_LIMITS.maxSlaSeconds, `must be at most ${INCIDENT_LIMITS.maxSlaSeconds} (90 days)`)
    .optional(),
  error: z
    .object({
      message: z.string({ message: 'is required in error' }).max(20_000),
      description: z.string().max(20_000).optional(),
      node: z.string().max(200).optional(),
      httpCode: z.union([z.string().max(20), z.number()]).optional(),
    })
    .optional(),
  context: jsonObject('must be an object').optional(),
  execution: z
    .strictObject({
      id: z.union([z.string(), z.number()]).transform(String).optional(),
      workflowId: z.union([z.string(), z.number()]).transform(String).optional(),
      workflowName: z.string().max(500).optional(),
      url: z.string().max(2_000).optional(),
    })
    .optional(),
  idempotencyKey: z.string().max(512).optional(),
  failedAt: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 time such as 2026-01-31T12:00:00Z: when the failure itself happened' })
    .optional(),
});

/** An optional `by`: the name of who acts (ack, resolve, replay); `what` finishes "the name of who …". */
export const actorField = (what: string) =>
  z
    .string({ message: `must be text: the name of who ${what}` })
    .trim()
    .min(1, 'must not be empty: name who acts, or leave it out')
    .max(INCIDENT_LIMITS.maxActorLength, `must be at most ${INCIDENT_LIMITS.maxActorLength} characters`)
    .optional();

/** Ack and resolve take an optional body naming who acts. */
export const incidentActionSchema = z.strictObject({ by: actorField('acknowledges or resolves') });

const listQuerySchema = z.strictObject({
  handoff: z.string().min(1).max(MAX_HANDOFF_ID_LENGTH).optional(),
  state: z
    .enum(['open', 'acknowledged', 'resolved', 'unresolved'], { message: 'must be open, acknowledged, resolved or unresolved' })
    .optional(),
  owner: z.string().min(1).max(200).optional(),
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1_000, 'must be at most 1000')
    .default(100),
});

/** Incident ids are positive integers; anything else is a 400 that names `id`. */
function incidentId(req: Request): number {
  const raw = String(req.params.id);
  const id = Number(raw);
  if (!/^\d{1,15}$/.test(raw) || !Number.isSafeInteger(id) || id < 1) {
    throw new ApiError(400, 'invalid_request', `Invalid incident id: id "${raw.slice(0, 40)}" must be a positive whole number`, [
      { path: 'id', message: 'must be a positive whole number' },
    ]);
  }
  return id;
}

export interface IncidentRouteDeps {
  incidents: IncidentStore;
  contracts: ContractStore;
  now: () => number;
  /** Called after a change queued an alert, so delivery starts now rather than at the next tick. */
  onAlertQueued?: () => void;
}

export function incidentRoutes(deps: IncidentRouteDeps): Router {
  const router = Router();
  const open = createIncidentOpener(deps);

  router.post(API_ROUTES.incidents, async (req, res) => {
    const body = parseBody(req, incidentRequestSchema, 'incident');
    const contract = deps.contracts.current();
    const handoff = deps.contracts.handoff(body.handoff);
    // With a contract in force an unknown id is a typo: refuse it rather than open an ownerless incident.
    if (contract.handoffs.length > 0 && !handoff) {
      throw new ApiError(
        404,
        'unknown_handoff',
        `Unknown handoff "${body.handoff}": it is not in ${deps.contracts.file} (known: ${contract.handoffs.map((h) => h.id).join(', ')}); pick one of those or add it to the contract`,
        [{ path: 'handoff', message: 'is not in the contract' }],
      );
    }
    const owner: IncidentPerson | undefined = typeof body.owner === 'string' ? { name: body.owner } : body.owner;
    const result = await open({ ...body, owner, failedAt: body.failedAt ? Date.parse(body.failedAt) : undefined });
    const response: IncidentResponse = { incident: result.incident, deduplicated: result.deduplicated };
    res.status(result.deduplicated ? 200 : 201).json(response);
  });

  router.get(API_ROUTES.incidents, async (req, res) => {
    const parsed = listQuerySchema.safeParse(req.query);
    if (!parsed.success) throw fromZod(parsed.error, 'incident query');
    const response: IncidentListResponse = { incidents: await deps.incidents.list(parsed.data) };
    res.json(response);
  });

  router.get(API_ROUTES.incident, async (req, res) => {
    const id = incidentId(req);
    const incident = await deps.incidents.get(id);
    if (!incident) throw new ApiError(404, 'incident_not_found', `No incident ${id}; list them with GET /api/v1/incidents`);
    res.json({ incident });
  });

  for (const action of ['ack', 'resolve'] as IncidentAction[]) {
    router.post(API_ROUTES[action], async (req, res) => {
      const id = incidentId(req);
      // No body at all (the nodes, older scripts) is fine; a body must be {by?}.
      const body =
        req.body === undefined ? {} : parseBody(req, incidentActionSchema, `${action === 'ack' ? 'acknowledge' : 'resolve'} request`);
      const result = await deps.incidents.transition(id, action, deps.now(), actorName(body.by));
      if (!result.found) throw new ApiError(404, 'incident_not_found', `No incident ${id}; list them with GET /api/v1/incidents`);
      if (!result.ok) throw new ApiError(409, 'incident_conflict', `Incident ${id} ${result.problem}`);
      res.json({ incident: result.incident, changed: result.changed });
    });
  }

  return router;
}
