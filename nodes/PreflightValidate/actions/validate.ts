/**
 * Sorts items into Valid and Invalid. Invalid items keep their data and gain `_validation` (each
 * problem's pointer, sentence and value); an item that cannot be checked at all is a per-item
 * error — it fails the node, or under "continue on fail" goes to Invalid (never Valid).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { checkpointKey, reportCheckpoints, reportsCheckpoints, type Checkpoint } from '../../shared/checkpoints';
import { failedItem, toNodeError } from '../../shared/item-errors';
import type { ItemProblem } from '../../shared/validation/problem';
import { NO_PROBLEMS } from '../../shared/validation/schema-check';
import { OUTPUT } from '../description';
import { buildChecks, type Checks } from './buildChecks';
import { readHandoff } from '../../shared/handoff-picker';

/** Checkpoint details stay small: the first few problems identify the fix. */
const PROBLEMS_PER_CHECKPOINT = 5;

export async function validateItems(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const outputs: INodeExecutionData[][] = [[], []];
  if (items.length === 0) return outputs;

  let checks: Checks;
  try {
    checks = buildChecks(this);
  } catch (error) {
    if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: 0 });
    items.forEach((item, index) => outputs[OUTPUT.invalid].push(failedItem(this, item, index, error)));
    return outputs;
  }

  const reporting = reportsCheckpoints(this);
  const keyField = reporting ? String(this.getNodeParameter('keyField', 0, '') ?? '').trim() : '';
  const checkpoints: Checkpoint[] = [];
  const { checkItem, isValid } = checks;
  const valid = outputs[OUTPUT.valid];
  let failed = 0;

  // The hot loop: a valid item costs one check and one small output object (see bench/preflight.ts).
  // Valid items carry pairedItem as the bare input index, which n8n reads as { item: index }.
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    let problems: readonly ItemProblem[];
    try {
      problems = isValid !== undefined && isValid(item.json) ? NO_PROBLEMS : checkItem(item.json, index);
    } catch (error) {
      const nodeError = toNodeError(this, error, index);
      if (!this.continueOnFail()) throw nodeError;
      failed++;
      outputs[OUTPUT.invalid].push(failedItem(this, item, index, nodeError));
      if (reporting) checkpoints.push({ key: checkpointKey(item.json, keyField), kind: 'invalid', details: { error: nodeError.message } });
      continue;
    }
    if (problems.length === 0) {
      valid.push(item.binary ? { json: item.json, binary: item.binary, pairedItem: index } : { json: item.json, pairedItem: index });
      if (reporting) checkpoints.push({ key: checkpointKey(item.json, keyField), kind: 'validated' });
      continue;
    }
    outputs[OUTPUT.invalid].push({
      json: { ...item.json, _validation: { valid: false, summary: summarise(problems), errors: [...problems] } },
      ...(item.binary ? { binary: item.binary } : {}),
      pairedItem: { item: index },
    });
    if (reporting) {
      const details = { errors: problems.slice(0, PROBLEMS_PER_CHECKPOINT).map(({ pointer, message }) => ({ pointer, message })) };
      checkpoints.push({ key: checkpointKey(item.json, keyField), kind: 'invalid', details });
    }
  }

  addHints(this, checks.warnings, failed);
  if (reporting) await reportCheckpoints(this, readHandoff(this), checkpoints);
  return outputs;
}

export function summarise(problems: readonly ItemProblem[]): string {
  const head = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return `${head}: ${problems.map((p) => p.message).join(' ')}`;
}

function addHints(ctx: IExecuteFunctions, warnings: string[], failed: number) {
  if (typeof ctx.addExecutionHints !== 'function') return;
  if (warnings.length) {
    ctx.addExecutionHints({
      message: `The schema has parts the validator ignores (often a misspelt keyword): ${warnings.slice(0, 3).join('; ')}`,
      type: 'warning',
      location: 'outputPane',
    });
  }
  if (failed) {
    ctx.addExecutionHints({
      message: `${failed} item(s) could not be checked and were sent to Invalid with an "error" field.`,
      type: 'warning',
      location: 'outputPane',
    });
  }
}
