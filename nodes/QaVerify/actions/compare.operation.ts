/**
 * Compare: each item against the record read back from the target. Proven items go to Pass; the
 * rest to Fail with `_qa.differences` and a readable diff. An item whose target cannot even be
 * read (the expression throws) is a per-item error: it fails the node or, under "continue on
 * fail", goes to Fail — never Pass.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { checkpointKey, reportCheckpoints, reportsCheckpoints, type Checkpoint } from '../../shared/checkpoints';
import { readPath } from '../../shared/field-path';
import { failedItem, toNodeError } from '../../shared/item-errors';
import { compareRecord, type Difference } from '../../shared/qa/compare';
import { OUTPUT } from '../description';
import { readCompareConfig } from './readConfig';
import { readHandoff } from '../../shared/handoff-picker';

/** A checkpoint names the first differences; the full diff stays on the item. */
const DIFFERENCES_PER_CHECKPOINT = 5;

export async function compare(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const outputs: INodeExecutionData[][] = [[], []];
  if (items.length === 0) return outputs;

  let config: ReturnType<typeof readCompareConfig>;
  try {
    config = readCompareConfig(this);
  } catch (error) {
    if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: 0 });
    items.forEach((item, index) => outputs[OUTPUT.fail].push(failedItem(this, item, index, error)));
    return outputs;
  }
  const fromField = this.getNodeParameter('targetSource', 0, 'field') !== 'expression';
  const targetField = String(this.getNodeParameter('targetField', 0, 'target') ?? '').trim();
  const reporting = reportsCheckpoints(this);
  const keyField = reporting ? String(this.getNodeParameter('keyField', 0, '') ?? '').trim() : '';
  const checkpoints: Checkpoint[] = [];

  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    let differences: Difference[];
    try {
      const target = fromField ? readPath(item.json, targetField) : readTargetExpression(this, index);
      differences = compareRecord(item.json, target, config);
    } catch (error) {
      const nodeError = toNodeError(this, error, index, 'Check the "Target Record" expression for this item.');
      if (!this.continueOnFail()) throw nodeError;
      outputs[OUTPUT.fail].push(failedItem(this, item, index, nodeError));
      if (reporting)
        checkpoints.push({ key: checkpointKey(item.json, keyField), kind: 'qa_failed', details: { error: nodeError.message } });
      continue;
    }
    const passed = differences.length === 0;
    outputs[passed ? OUTPUT.pass : OUTPUT.fail].push({
      json: { ...item.json, _qa: passed ? { passed: true } : { passed: false, diff: diffText(differences), differences } },
      ...(item.binary ? { binary: item.binary } : {}),
      pairedItem: { item: index },
    });
    if (reporting) {
      checkpoints.push(
        passed
          ? { key: checkpointKey(item.json, keyField), kind: 'verified' }
          : {
              key: checkpointKey(item.json, keyField),
              kind: 'qa_failed',
              details: { differences: differences.slice(0, DIFFERENCES_PER_CHECKPOINT).map((d) => d.message) },
            },
      );
    }
  }
  if (reporting) await reportCheckpoints(this, readHandoff(this), checkpoints);
  return outputs;
}

function readTargetExpression(ctx: IExecuteFunctions, index: number): unknown {
  const raw = ctx.getNodeParameter('targetRecord', index, undefined);
  if (typeof raw !== 'string') return raw;
  // The expression may give the record as JSON text; anything unparsable is reported as "no record".
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The diff as people read it: one line per difference. */
export function diffText(differences: Difference[]): string {
  return differences.map((d) => `• ${d.message}`).join('\n');
}
