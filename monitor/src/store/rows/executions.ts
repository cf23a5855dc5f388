/** An executions row and the StoredExecution the collector and detectors work with. Both stores use these. */
import type { StoredExecution } from '../../domain/store';

export interface ExecutionRow {
  id: string;
  handoff: string;
  workflow_id: string;
  status: string;
  finished: number;
  mode: string | null;
  started_at: number | null;
  stopped_at: number | null;
  wait_till: number | null;
  retry_of: string | null;
  retry_success_id: string | null;
  failed_node: string | null;
  error_message: string | null;
  recovered_at: number | null;
  outcome: string | null;
}

export const fromExecutionRow = (r: ExecutionRow): StoredExecution => ({
  id: r.id,
  handoff: r.handoff,
  workflowId: r.workflow_id,
  status: r.status,
  finished: r.finished === 1,
  mode: r.mode,
  startedAt: r.started_at,
  stoppedAt: r.stopped_at,
  waitTill: r.wait_till,
  retryOf: r.retry_of,
  retrySuccessId: r.retry_success_id,
  failedNode: r.failed_node,
  errorMessage: r.error_message,
  expectOutcome: r.outcome !== null,
});
