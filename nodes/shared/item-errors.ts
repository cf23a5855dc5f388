/**
 * Per-item failures under "continue on fail". n8n moves items that carry `error` from the first
 * output to the error output when the node's setting is "continue (using error output)"; with
 * "continue (regular output)" the item stays wherever the node puts it — so each node decides which
 * output is safe for a failed item (never one that means "go ahead").
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export function usesErrorOutput(ctx: IExecuteFunctions): boolean {
  return ctx.getNode().onError === 'continueErrorOutput';
}

export function toNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number, description?: string): NodeOperationError {
  if (error instanceof NodeOperationError) return error;
  return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex, description });
}

/**
 * A failed item for "continue on fail". With the error output wired, n8n moves an item whose json
 * is only `{ error }` to that output and merges the input item's fields back in (an item carrying
 * an `error` object would instead be flattened to `{ error }` after the merge). With "continue
 * (regular output)" nothing is merged, so we keep the input's fields ourselves and add the message.
 */
export function failedItem(ctx: IExecuteFunctions, input: INodeExecutionData, itemIndex: number, error: unknown): INodeExecutionData {
  const nodeError = toNodeError(ctx, error, itemIndex);
  if (usesErrorOutput(ctx)) {
    return { json: { error: nodeError.message }, binary: input.binary, pairedItem: { item: itemIndex } };
  }
  return {
    json: { ...input.json, error: nodeError.message, ...(nodeError.description ? { errorDescription: nodeError.description } : {}) },
    binary: input.binary,
    pairedItem: { item: itemIndex },
  };
}
