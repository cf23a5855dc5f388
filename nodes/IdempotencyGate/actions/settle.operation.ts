/**
 * Complete / Release: tell the ledger how a claimed handoff ended. Complete makes every later
 * repeat a Duplicate; Release lets a retry claim the key again (the Exception Router uses it).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { failedItem } from '../../shared/item-errors';
import { LEDGER_PATHS, type SettleResponse, type SettleResult } from '../../../protocol/ledger';
import { callMonitor } from '../../shared/monitor-client';
import { CLAIM_BATCH_SIZE } from './claim.operation';
import { readGateKeys, readHandoff } from './readKeys';

export async function settle(this: IExecuteFunctions, action: 'complete' | 'release'): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const out: INodeExecutionData[] = [];
  if (items.length === 0) return [out];

  const handoff = readHandoff(this);
  if (!handoff) {
    throw new NodeOperationError(this.getNode(), 'No handoff selected', {
      description: 'Pick the same handoff as the Claim gate under "Handoff".',
    });
  }
  const reason = (this.getNodeParameter('reason', 0, '') as string).trim();
  const resolutions = readGateKeys(this, items, false);
  const keyed = resolutions.filter((r): r is { index: number; key: string } => 'key' in r);

  const byIndex = new Map<number, SettleResult>();
  try {
    for (let start = 0; start < keyed.length; start += CLAIM_BATCH_SIZE) {
      const chunk = keyed.slice(start, start + CLAIM_BATCH_SIZE);
      const response = await callMonitor<SettleResponse>(this, {
        method: 'POST',
        path: action === 'complete' ? LEDGER_PATHS.complete : LEDGER_PATHS.release,
        body: { handoff, keys: chunk.map((c) => c.key), ...(reason ? { reason } : {}) },
      });
      chunk.forEach((c, n) => byIndex.set(c.index, response.results[n]));
    }
  } catch (error) {
    if (!this.continueOnFail()) {
      throw new NodeOperationError(this.getNode(), error as Error, {
        description: `The ${action} was not recorded; the claims stay as they were.`,
      });
    }
    return [items.map((item, index) => failedItem(this, item, index, error))];
  }

  let notFound = 0;
  for (const r of resolutions) {
    const item = items[r.index];
    const result = byIndex.get(r.index);
    // Completing a key that was never claimed means the Complete gate reads a different key or
    // handoff than the Claim gate: a wiring mistake worth stopping for.
    const problem =
      'problem' in r
        ? { message: r.problem, fix: r.fix }
        : action === 'complete' && result?.outcome === 'not_found'
          ? {
              message: `Key "${r.key}" was never claimed for handoff "${handoff}"`,
              fix: 'Use the same handoff and key settings as the Claim gate.',
            }
          : undefined;
    if (problem) {
      const error = new NodeOperationError(this.getNode(), problem.message, { itemIndex: r.index, description: problem.fix });
      if (!this.continueOnFail()) throw error;
      out.push(failedItem(this, item, r.index, error));
      continue;
    }
    if (result?.outcome === 'not_found') notFound++;
    out.push({
      json: {
        ...item.json,
        _handoff: {
          handoff,
          key: 'key' in r ? r.key : undefined,
          outcome: result?.outcome,
          state: result?.state,
          attempt: result?.attempt,
        },
      },
      binary: item.binary,
      pairedItem: { item: r.index },
    });
  }
  if (notFound && typeof this.addExecutionHints === 'function') {
    this.addExecutionHints({ message: `${notFound} key(s) had no claim to release.`, type: 'info', location: 'outputPane' });
  }
  return [out];
}
