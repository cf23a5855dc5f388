/**
 * The replay API's wire shapes, shared by the monitor's routes and the `handoff-monitor replay`
 * command so both sides agree on names. The CLI checks responses with these schemas, so a monitor
 * that answers something else fails with the field named instead of printing nonsense.
 *
 * Exported API (stable):
 *   REPLAY_PATHS.replays                 POST /api/v1/replays              body ReplaysRequest → ReplaysResponse
 *   REPLAY_PATHS.incidentReplay(id)      POST /api/v1/incidents/:id/replay body IncidentReplayRequest → IncidentReplayResponse
 *   REPLAY_RESULT_OUTCOMES, types ReplayWireOutcome, ReplayPlanned, ReplayResultWire, ReplaysResponse, IncidentReplayResponse
 *   replaysResponseSchema, incidentReplayResponseSchema, apiErrorSchema (zod)
 * Errors come as `{ error: { message } }` with a 4xx (or 5xx for a monitor bug).
 */
import { z } from 'zod';
import { API_BASE, API_ROUTES, incidentPath } from '../../../protocol/paths';

export const REPLAY_PATHS = {
  replays: `${API_BASE}${API_ROUTES.replays}`,
  incidentReplay: (id: number | string) => incidentPath(API_ROUTES.replay, id),
} as const;

export const REPLAY_RESULT_OUTCOMES = ['recovered', 'failed_again', 'refused', 'error', 'skipped'] as const;
export type ReplayWireOutcome = (typeof REPLAY_RESULT_OUTCOMES)[number];

export interface ReplaysRequest {
  handoff: string;
  kind?: string;
  keys?: string[];
  concurrency?: number;
  dryRun?: boolean;
  /** Who asks (≤ 200 characters), recorded with each replay. */
  by?: string;
}

export interface IncidentReplayRequest {
  dryRun?: boolean;
  /** Who asks (≤ 200 characters), recorded with the replay. */
  by?: string;
}

const planned = z.object({
  handoff: z.string(),
  key: z.string(),
  kind: z.string().nullish(),
  owner: z.unknown().optional(),
  failedAt: z.unknown().optional(),
  incident: z.object({ id: z.union([z.number(), z.string()]), title: z.string().optional() }).nullish(),
});
export type ReplayPlanned = z.output<typeof planned>;

const result = z.object({
  handoff: z.string(),
  key: z.string(),
  outcome: z.enum(REPLAY_RESULT_OUTCOMES),
  message: z.string().default(''),
});
export type ReplayResultWire = z.output<typeof result>;

const stopped = z.object({ key: z.string(), reason: z.string() });

export const replaysResponseSchema = z.object({
  dryRun: z.boolean().default(false),
  planned: z.array(planned).default([]),
  results: z.array(result).default([]),
  stopped: stopped.nullish(),
});
export type ReplaysResponse = z.output<typeof replaysResponseSchema>;

export const incidentReplayResponseSchema = z.union([
  z.object({ result }),
  z.object({ dryRun: z.literal(true), planned: z.array(planned) }),
]);
export type IncidentReplayResponse = z.output<typeof incidentReplayResponseSchema>;

export const apiErrorSchema = z.object({ error: z.object({ message: z.string() }) });
