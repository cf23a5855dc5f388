/**
 * Reads what a replay needs from n8n: the execution (with data) and the workflow as it is now, then
 * lets the pure `extractReplayInput` decide. The thin I/O shell around source.ts.
 *
 * Exported API (stable):
 *   loadReplayInput(client: N8nClient, executionId: string) → Promise<ReplayInputResult>
 *
 * An Error Trigger run (the error workflow's own execution, which is what some incidents point at)
 * is followed to the failed run it reports, once: an error workflow reporting another error
 * workflow's run is refused rather than chased.
 *
 * Refusals are results (ok: false); failures to talk to n8n (unreachable, bad API key, a response
 * of an unexpected shape) throw N8nApiError, so a caller can tell "this key cannot be replayed"
 * from "n8n is not answering right now".
 */
import type { N8nClient } from '../collector/n8n-client';
import { extractReplayInput, type ReplayInputResult } from './source';

export async function loadReplayInput(client: N8nClient, executionId: string): Promise<ReplayInputResult> {
  const first = await readOne(client, executionId);
  if (first.ok || first.code !== 'error_trigger' || !first.followExecutionId) return first;

  const parent = await readOne(client, first.followExecutionId);
  if (!parent.ok && parent.code === 'error_trigger') {
    return {
      ok: false,
      code: 'trigger_failed',
      problem: `execution ${executionId} reports execution ${first.followExecutionId}, which is itself an error-workflow run; it is not followed further`,
      fix: 're-send it from the system that sent it (for the kickoff: the deal from the CRM)',
    };
  }
  return parent;
}

async function readOne(client: N8nClient, executionId: string): Promise<ReplayInputResult> {
  const execution = await client.getExecution(executionId, true);
  if (!execution) return extractReplayInput(undefined, undefined, { executionId });
  const workflow = await client.getWorkflow(execution.workflowId);
  return extractReplayInput(execution, workflow, { executionId });
}
