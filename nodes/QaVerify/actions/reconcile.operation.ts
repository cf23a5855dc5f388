/**
 * Reconcile: all input items (the source list) against the target's list, matched by key. The
 * result is one report item on Pass or Fail, paired with every input item it covers.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { reportCheckpoints, reportsCheckpoints } from '../../shared/checkpoints';
import { failedItem } from '../../shared/item-errors';
import { reconcile } from '../../shared/qa/reconcile';
import { OUTPUT } from '../description';
import { readReconcileConfig, toRecordList } from './readConfig';
import { readHandoff } from '../../shared/handoff-picker';

export async function reconcileLists(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const outputs: INodeExecutionData[][] = [[], []];
  if (items.length === 0) return outputs;

  let report: ReturnType<typeof reconcile>;
  try {
    const config = readReconcileConfig(this);
    const targetRecords = toRecordList(this.getNodeParameter('targetRecords', 0, []));
    if (!targetRecords) {
      throw new NodeOperationError(this.getNode(), '"Target Records" is not a list', {
        description: "Give the target's records as a list, e.g. {{ $('Read Target').all().map(item => item.json) }}.",
      });
    }
    report = reconcile(
      items.map((item) => item.json),
      targetRecords,
      config,
    );
  } catch (error) {
    if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: 0 });
    items.forEach((item, index) => outputs[OUTPUT.fail].push(failedItem(this, item, index, error)));
    return outputs;
  }

  outputs[report.passed ? OUTPUT.pass : OUTPUT.fail].push({
    json: { reconcile: report as unknown as INodeExecutionData['json'] },
    pairedItem: items.map((_, index) => ({ item: index })),
  });

  if (reportsCheckpoints(this)) {
    const details = { mode: 'reconcile', counts: report.counts, breaches: report.breaches, checksumsMatch: report.checksums.match };
    await reportCheckpoints(this, readHandoff(this), [{ kind: report.passed ? 'verified' : 'qa_failed', details }]);
  }
  return outputs;
}
