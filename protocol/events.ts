/**
 * Checkpoints (`POST /api/v1/events`): the nodes tell the monitor what happened to a handoff key
 * (validated, invalid, verified, qa_failed…), one event or a batch per request.
 */

/** One checkpoint as the nodes send it. */
export interface EventRequest {
  handoff: string;
  /** The idempotency key the checkpoint is about (at most LEDGER_LIMITS.maxKeyLength characters). */
  key?: string;
  /** A lower_snake_case word: validated, invalid, verified, qa_failed… */
  kind: string;
  /** When it happened (ISO 8601); the monitor's clock when absent. */
  at?: string;
  execution?: { id?: string | number; workflowId?: string | number };
  details?: Record<string, unknown>;
}

/** Several checkpoints in one request (at most EVENT_LIMITS.maxEventsPerRequest). */
export interface EventBatchRequest {
  events: EventRequest[];
}

/** The answer, 202: how many were stored. */
export interface EventResponse {
  accepted: number;
}

/** Limits both sides enforce: the nodes split a larger batch, the monitor refuses one. */
export const EVENT_LIMITS = {
  maxEventsPerRequest: 10_000,
} as const;
