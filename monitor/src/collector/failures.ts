/**
 * Failed runs → incidents. Execution data is read (includeData=true) only for these, to name the
 * failing node: the data of a run can be megabytes, and successful runs need none of it.
 * One incident per handoff and workflow while it is open, so a failure storm is one incident.
 */
import type { Logger } from 'pino';
import type { FindingReporter } from '../stalls/report-incident';
import type { ExecutionStore, StoredExecution } from '../domain/store';
import { isFailed } from '../domain/metric-definitions';
import { failingNode, type Failure } from './failing-node';
import type { N8nClient } from './n8n-client';

/** Data reads per poll are capped: a burst of 10,000 failures still names the node of the first ones. */
const MAX_DATA_READS = 100;
const DATA_READ_CONCURRENCY = 4;

export function failedRunDedupKey(run: Pick<StoredExecution, 'handoff' | 'workflowId'>): string {
  return `execution_failed:${run.handoff}:${run.workflowId}`;
}

export async function reportFailedRuns(
  runs: StoredExecution[],
  deps: {
    client: N8nClient;
    executions: ExecutionStore;
    report: FindingReporter;
    logger: Logger;
    executionUrl?: (run: StoredExecution) => string | undefined;
  },
): Promise<number> {
  const failed = runs.filter((r) => isFailed(r.status));
  const failures = new Map<string, Failure>();
  const toRead = failed.slice(0, MAX_DATA_READS);
  let next = 0;
  const worker = async () => {
    while (next < toRead.length) {
      const run = toRead[next++];
      try {
        const full = await deps.client.getExecution(run.id, true);
        const failure = full ? failingNode(full.data) : {};
        failures.set(run.id, failure);
        if (failure.node || failure.message) await deps.executions.setFailure(run.id, failure);
      } catch (err) {
        // The run is still counted and reported; only the node name is missing.
        deps.logger.warn({ execution: run.id, err: (err as Error).message }, 'could not read the failed execution data');
      }
    }
  };
  await Promise.all(Array.from({ length: DATA_READ_CONCURRENCY }, worker));

  let opened = 0;
  for (const run of failed) {
    const failure = failures.get(run.id) ?? {};
    const where = failure.node ? ` at node "${failure.node}"` : '';
    const result = await deps.report({
      handoff: run.handoff,
      kind: 'execution_failed',
      dedupKey: failedRunDedupKey(run),
      title: `n8n execution ${run.id} of workflow ${run.workflowId} ended "${run.status}"${where}`,
      signalAt: run.stoppedAt ?? run.startedAt ?? 0,
      error: { message: failure.message ?? `execution ${run.status}`, ...(failure.node ? { node: failure.node } : {}) },
      execution: { id: run.id, workflowId: run.workflowId, url: deps.executionUrl?.(run) },
    });
    if (result.opened) opened++;
  }
  return opened;
}
