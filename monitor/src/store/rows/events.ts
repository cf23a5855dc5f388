/** An events row and the event the trace and the outcome fold read; one mapping for both stores. */
import type { StoredEvent } from '../../domain/store';
import type { JsonColumns } from './incidents';

export interface EventRow {
  id: number;
  handoff: string;
  key: string | null;
  kind: string;
  at: number;
  execution_id: string | null;
  /** JSON: text on SQLite, the parsed value on Postgres. */
  details: unknown;
}

/** NULL columns become absent fields, as the event was appended. */
export const fromEventRow = (r: EventRow, json: JsonColumns): StoredEvent => ({
  id: Number(r.id),
  handoff: r.handoff,
  key: r.key ?? undefined,
  kind: r.kind,
  at: r.at,
  executionId: r.execution_id ?? undefined,
  details: (json === 'text'
    ? r.details
      ? JSON.parse(r.details as string)
      : undefined
    : (r.details ?? undefined)) as StoredEvent['details'],
});
