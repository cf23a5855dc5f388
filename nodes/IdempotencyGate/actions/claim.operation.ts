/**
 * Claim: one batched request to the ledger, then each item goes to New, Duplicate or Conflict.
 * The ledger decides atomically, so racing executions can never both get New for one key.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { failedItem, usesErrorOutput } from '../../shared/item-errors';
import { LEDGER_PATHS, type ClaimDecision, type ClaimResponse, type ClaimResult } from '../../../protocol/ledger';
import { callMonitor, MonitorUnreachableError } from '../../shared/monitor-client';
import { readGateKeys, readHandoff } from './readKeys';

export const OUTPUT = { new: 0, duplicate: 1, conflict: 2 } as const;

/** Bodies stay around 0.5 MB; the monitor answers a batch this size in well under a second. */
export const CLAIM_BATCH_SIZE = 10_000;

const outputFor: Record<ClaimDecision, number> = {
  new: OUTPUT.new,
  duplicate: OUTPUT.duplicate,
  in_progress: OUTPUT.duplicate,
  conflict: OUTPUT.conflict,
};

export async function claim(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const outputs: INodeExecutionData[][] = [[], [], []];
  if (items.length === 0) return outputs;

  const handoff = readHandoff(this);
  if (!handoff) {
    throw new NodeOperationError(this.getNode(), 'No handoff selected', {
      description: 'Pick the handoff this gate protects under "Handoff" (the list comes from the monitor, or give its ID).',
    });
  }
  const leaseSeconds = this.getNodeParameter('leaseSeconds', 0, 0) as number;
  const onUnreachable = this.getNodeParameter('onMonitorUnreachable', 0, 'fail') as string;
  const resolutions = readGateKeys(this, items, true);

  // Items without a usable key never reach the ledger; they fail (or are routed) on their own.
  const claimable: { index: number; key: string; fingerprint?: string }[] = [];
  const failedIndexes: number[] = [];
  for (const r of resolutions) {
    if ('key' in r) {
      claimable.push(r);
      continue;
    }
    if (!this.continueOnFail()) {
      throw new NodeOperationError(this.getNode(), r.problem, { itemIndex: r.index, description: r.fix });
    }
    failedIndexes.push(r.index);
  }

  let results: ClaimResult[] = [];
  let unreachable: MonitorUnreachableError | undefined;
  const execution = { id: this.getExecutionId(), workflowId: this.getWorkflow().id };
  try {
    for (let start = 0; start < claimable.length; start += CLAIM_BATCH_SIZE) {
      const chunk = claimable.slice(start, start + CLAIM_BATCH_SIZE);
      const body: IDataObject = {
        handoff,
        execution: execution as IDataObject,
        items: chunk.map(({ key, fingerprint }) => (fingerprint ? { key, fingerprint } : { key })),
      };
      if (leaseSeconds > 0) body.leaseSeconds = Math.round(leaseSeconds);
      const response = await callMonitor<ClaimResponse>(this, { method: 'POST', path: LEDGER_PATHS.claims, body });
      results = results.concat(response.results);
    }
  } catch (error) {
    if (error instanceof MonitorUnreachableError && onUnreachable === 'passThrough') {
      unreachable = error;
    } else if (this.continueOnFail()) {
      return routeAllFailed(this, items, error);
    } else {
      throw new NodeOperationError(this.getNode(), error as Error, {
        description:
          error instanceof MonitorUnreachableError
            ? 'Nothing was claimed, so nothing went ahead. Start the monitor or fix the credential\'s URL; or set "If Monitor Unreachable" to "Let Items Through".'
            : 'The monitor refused the claim; its message above says which field to fix.',
      });
    }
  }

  claimable.forEach((c, n) => {
    const item = items[c.index];
    const result = unreachable ? undefined : results[n];
    const meta = result
      ? {
          handoff,
          key: c.key,
          decision: result.decision,
          attempt: result.attempt,
          state: result.state,
          ...(result.reason ? { reason: result.reason } : {}),
        }
      : { handoff, key: c.key, decision: 'unverified', attempt: 0, reason: `monitor unreachable: ${unreachable?.lastProblem}` };
    outputs[result ? outputFor[result.decision] : OUTPUT.new].push({
      json: { ...item.json, _handoff: meta },
      binary: item.binary,
      pairedItem: { item: c.index },
    });
  });

  routeFailed(this, items, failedIndexes, resolutions, outputs);
  addHints(this, outputs, failedIndexes.length, unreachable);
  return outputs;
}

/** A failed item must never land on New. Error output if wired, else Conflict (needs a human). */
function routeFailed(
  ctx: IExecuteFunctions,
  items: INodeExecutionData[],
  failedIndexes: number[],
  resolutions: ReturnType<typeof readGateKeys>,
  outputs: INodeExecutionData[][],
) {
  const target = usesErrorOutput(ctx) ? OUTPUT.new : OUTPUT.conflict;
  for (const index of failedIndexes) {
    const r = resolutions[index];
    const error = new NodeOperationError(ctx.getNode(), 'problem' in r ? r.problem : 'No key', {
      itemIndex: index,
      description: 'fix' in r ? r.fix : undefined,
    });
    const failed = failedItem(ctx, items[index], index, error);
    // On the error output n8n merges the input back only into a bare `{ error }` item.
    if (target === OUTPUT.conflict) failed.json._handoff = { decision: 'error', reason: error.message };
    outputs[target].push(failed);
  }
}

function routeAllFailed(ctx: IExecuteFunctions, items: INodeExecutionData[], error: unknown): INodeExecutionData[][] {
  const outputs: INodeExecutionData[][] = [[], [], []];
  const target = usesErrorOutput(ctx) ? OUTPUT.new : OUTPUT.conflict;
  items.forEach((item, index) => {
    const failed = failedItem(ctx, item, index, error);
    if (target === OUTPUT.conflict) failed.json._handoff = { decision: 'error', reason: (error as Error).message };
    outputs[target].push(failed);
  });
  return outputs;
}

function addHints(ctx: IExecuteFunctions, outputs: INodeExecutionData[][], failed: number, unreachable?: MonitorUnreachableError) {
  const hints = [];
  if (failed > 0) {
    hints.push({
      message: `${failed} item(s) had no usable idempotency key and were not claimed; see their "error" field.`,
      type: 'warning' as const,
      location: 'outputPane' as const,
    });
  }
  if (unreachable) {
    hints.push({
      message: `The monitor was unreachable, so ${outputs[OUTPUT.new].length} item(s) went through unverified. Duplicates are possible until it is back.`,
      type: 'danger' as const,
      location: 'outputPane' as const,
    });
  }
  if (hints.length && typeof ctx.addExecutionHints === 'function') ctx.addExecutionHints(...hints);
}
