/**
 * Sends each item's request with retries: answers go to Success, requests that still fail go to
 * Failed with their attempt log. Items run one after another so a struggling target is not hit by
 * a whole batch at once, and so each item's waits follow the server's Retry-After.
 */
import type { IExecuteFunctions, INodeExecutionData, NodeExecutionHint } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';
import { isIdempotentMethod } from '../../shared/backoff';
import { toNodeError, usesErrorOutput } from '../../shared/item-errors';
import { AUTHENTICATION, OUTPUT } from '../description';
import { sendWithRetries, type RetryLoopDeps } from '../retry-loop';
import { failedRequestItem, successItem, unbuildableItem } from './outcome-items';
import { readPolicy, readRequest } from './readRequest';
import { createSender, credentialSecrets } from './transport';

export async function send(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const outputs: INodeExecutionData[][] = [[], []];
  if (items.length === 0) return outputs;

  const authentication = this.getNodeParameter('authentication', 0, AUTHENTICATION.none) as string;
  const { policy, attemptTimeoutMs } = readPolicy(this);
  const credentialValues = await credentialSecrets(this, authentication);
  const signal = this.getExecutionCancelSignal();
  let unkeyedUnsafe = 0;
  let gaveUp = 0;

  for (let i = 0; i < items.length; i++) {
    let spec;
    try {
      spec = readRequest(this, items[i], i);
    } catch (error) {
      if (!this.continueOnFail()) throw toNodeError(this, error, i);
      // A request that could not even be built is never a success; under "continue" it waits on Failed.
      outputs[OUTPUT.failed].push(unbuildableItem(items[i], i, toNodeError(this, error, i), usesErrorOutput(this)));
      continue;
    }
    const hasIdempotencyKey = spec.idempotencyKey !== undefined;
    if (!hasIdempotencyKey && !isIdempotentMethod(spec.method)) unkeyedUnsafe++;
    const secrets = [...credentialValues, ...spec.secrets];

    const deps: RetryLoopDeps = {
      send: createSender(this, spec, authentication),
      sleep: async (ms) => await sleep(ms, signal),
      now: () => Date.now(),
      random: Math.random,
    };
    const result = await sendWithRetries({ method: spec.method, hasIdempotencyKey, policy, attemptTimeoutMs }, deps);
    if (result.status === 'canceled') {
      // The message says "canceled" so that n8n records the execution as canceled, not failed.
      throw new NodeOperationError(this.getNode(), 'The execution was canceled while the request was being sent or retried', {
        itemIndex: i,
        description: `Stopped after ${result.attempts.length} attempt(s) because the execution was canceled; nothing more was sent.`,
      });
    }
    if (result.status === 'success') {
      outputs[OUTPUT.success].push(successItem(items[i], i, result, secrets));
    } else {
      gaveUp++;
      outputs[OUTPUT.failed].push(failedRequestItem(items[i], i, spec, result, secrets));
    }
  }

  addHints(this, gaveUp, unkeyedUnsafe);
  return outputs;
}

function addHints(ctx: IExecuteFunctions, failed: number, unkeyedUnsafe: number) {
  const hints: NodeExecutionHint[] = [];
  if (failed > 0) {
    hints.push({
      message: `${failed} request(s) failed and went to Failed (each item's attempts say why); wire it to the Exception Router so an owner hears about them.`,
      type: 'warning',
      location: 'outputPane',
    });
  }
  if (unkeyedUnsafe > 0) {
    hints.push({
      message: `${unkeyedUnsafe} POST/PATCH request(s) had no Idempotency-Key, so they were not retried. An Idempotency Gate before this node supplies one.`,
      type: 'info',
      location: 'outputPane',
    });
  }
  if (hints.length && typeof ctx.addExecutionHints === 'function') ctx.addExecutionHints(...hints);
}
