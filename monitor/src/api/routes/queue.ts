/**
 * The exception queue and replay (docs/architecture.md "Handoff outcomes"):
 *   GET  /queue?handoff=&kind=&limit=   pairs that failed and have not completed, oldest first
 *   POST /incidents/:id/replay {dryRun?, by?} one pair, the one the incident is tied to
 *   POST /replays {handoff, kind?, keys?, concurrency?, dryRun?, by?}   bulk, paced, stops at a repeat failure
 * `by` names who asks; it is recorded in the pair's `replayed` checkpoint (replay/service.ts).
 * Replays wait for the outcome (recovered or failed again), so a request can take as long as the
 * workflow run does.
 */
import { Router } from 'express';
import { z } from 'zod';
import { API_ROUTES, MAX_HANDOFF_ID_LENGTH } from '../../../../protocol/paths';
import type { QueueEntry, OutcomeStore } from '../../domain/store';
import type { ReplayService } from '../../replay/service';
import { toPlanned } from '../../replay/service';
import { actorName } from '../../incidents/actor';
import { ApiError, fromZod } from '../errors';
import { actorField } from './incidents';
import { parseBody } from '../validate';

const handoff = z.string().min(1, 'must not be empty').max(MAX_HANDOFF_ID_LENGTH);
const kind = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lower_snake_case failure kind such as request_failed');

const queueQuery = z.strictObject({
  handoff: handoff.optional(),
  kind: kind.optional(),
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1_000, 'must be at most 1000')
    .default(200),
});

/** Who asks (`handoff-monitor replay` sends --by or the OS user name): the same rule as ack/resolve's `by`. */
const requester = actorField('asks for the replay');

const replaysBody = z.strictObject({
  handoff: z.string({ message: 'is required: the handoff whose queue to replay' }).min(1, 'must not be empty').max(MAX_HANDOFF_ID_LENGTH),
  kind: kind.optional(),
  keys: z.array(z.string().min(1).max(512)).min(1, 'must name at least one key').max(1_000, 'must name at most 1000 keys').optional(),
  concurrency: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10, 'must be at most 10, so a recovering target is not flooded')
    .optional(),
  dryRun: z.boolean({ message: 'must be true or false' }).optional(),
  by: requester,
});

const incidentReplayBody = z.strictObject({ dryRun: z.boolean({ message: 'must be true or false' }).optional(), by: requester });

/** `owner`: the incident's (it may have been routed to someone else), else the contract's owner of the handoff. */
export function toWireEntry(e: QueueEntry, owner?: { name: string; channel?: string }) {
  return {
    handoff: e.handoff,
    key: e.key,
    kind: e.kind,
    owner: e.incident?.owner ?? owner,
    failedAt: new Date(e.failedAt).toISOString(),
    lastFailureAt: new Date(e.lastFailureAt).toISOString(),
    failures: e.failures,
    attempts: e.attempt,
    replays: e.replays,
    ...(e.lastReplayAt !== null ? { lastReplayAt: new Date(e.lastReplayAt).toISOString() } : {}),
    ...(e.incident
      ? { incident: { id: e.incident.id, title: e.incident.title, state: e.incident.state, slaDueAt: e.incident.slaDueAt } }
      : {}),
  };
}

/** The queue entry an incident stands for, or a 404/409 that says why there is none. */
export async function entryForIncident(
  outcomes: OutcomeStore,
  incident: { id: number; handoff: string; idempotencyKey?: string },
): Promise<QueueEntry> {
  if (!incident.idempotencyKey) {
    throw new ApiError(
      409,
      'not_replayable',
      `Incident ${incident.id} names no idempotency key, so there is no handoff of one record to replay; re-run the workflow in n8n`,
    );
  }
  const [entry] = await outcomes.queue({ handoff: incident.handoff, keys: [incident.idempotencyKey], limit: 1 });
  if (entry) return entry;
  const pair = await outcomes.pair(incident.handoff, incident.idempotencyKey);
  if (pair?.completedAt != null) {
    throw new ApiError(
      409,
      'already_completed',
      `${incident.idempotencyKey} already completed at ${new Date(pair.completedAt).toISOString()} (attempt ${pair.attempt ?? '?'}): nothing to replay`,
    );
  }
  throw new ApiError(409, 'not_in_queue', `${incident.idempotencyKey} is not in the exception queue (never failed, or closed by hand)`);
}

export function queueRoutes(deps: {
  outcomes: OutcomeStore;
  incidents: { get(id: number): Promise<{ id: number; handoff: string; idempotencyKey?: string } | undefined> };
  replays?: ReplayService;
  /** Folds what was written so far, so the queue a caller reads includes its own last write. */
  flush?: () => Promise<unknown>;
  /** The contract's owner of a handoff, for entries without an incident. */
  ownerOf?: (handoff: string) => { name: string; channel?: string } | undefined;
}): Router {
  const fresh = async () => {
    await deps.flush?.();
  };
  const router = Router();
  const replays = () => {
    if (!deps.replays) throw new ApiError(503, 'replay_unavailable', 'Replay is not available in this monitor');
    return deps.replays;
  };

  router.get(API_ROUTES.queue, async (req, res) => {
    const parsed = queueQuery.safeParse(req.query);
    if (!parsed.success) throw fromZod(parsed.error, 'queue query');
    await fresh();
    const entries = await deps.outcomes.queue(parsed.data);
    res.json({ entries: entries.map((e) => toWireEntry(e, deps.ownerOf?.(e.handoff))) });
  });

  router.post(API_ROUTES.replay, async (req, res) => {
    const raw = String(req.params.id);
    const id = Number(raw);
    if (!/^\d{1,15}$/.test(raw) || id < 1)
      throw new ApiError(400, 'invalid_request', `Invalid incident id: id "${raw.slice(0, 40)}" must be a positive whole number`, [
        { path: 'id', message: 'must be a positive whole number' },
      ]);
    const body = parseBody(req, incidentReplayBody, 'replay');
    const incident = await deps.incidents.get(id);
    if (!incident) throw new ApiError(404, 'incident_not_found', `No incident ${id}; list them with GET /api/v1/incidents`);
    await fresh();
    const entry = await entryForIncident(deps.outcomes, incident);
    if (body.dryRun) {
      res.json({ dryRun: true, planned: [toPlanned(entry)] });
      return;
    }
    res.json({ result: await replays().replayOne(entry, { by: actorName(body.by), via: 'api' }) });
  });

  router.post(API_ROUTES.replays, async (req, res) => {
    const body = parseBody(req, replaysBody, 'replay');
    await fresh();
    res.json(
      await replays().replayAll(
        { handoff: body.handoff, kind: body.kind, keys: body.keys },
        { concurrency: body.concurrency, dryRun: body.dryRun, who: { by: actorName(body.by), via: 'api' } },
      ),
    );
  });

  return router;
}
