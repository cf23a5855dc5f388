/**
 * Sends each item's request with retries: answers go to Success, requests that still fail go to
 * Failed with their attempt log. Items run one after another so a struggling target is not hit by
 * a whole batch at once, and so each item's waits follow the server's Retry-After.
 */
import type { IExecuteFunctions, INodeExecutionData, NodeExecutionHint } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';
import { isIdempotentMethod } from '../../shared/backoff';
import { failedItem } from '../../shared/item-errors';
import { AUTHENTICATION, OUTPUT } from '../description';
import { RequestCancelledError, sendWithRetries, type RetryLoopDeps } from '../retry-loop';
import { failedRequestItem, successItem } from './outcome-items';
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

  for (let i = 0; i < items.length; i++) {
    let spec;
    try {
      spec = readRequest(this, items[i], i);
    } catch (error) {
      if (!this.continueOnFail()) throw error;
      // A request that could not even be built is never a success; under "continue" it waits on Failed.
      outputs[OUTPUT.failed].push(failedItem(this, items[i], i, error));
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
    let result;
    try {
      result = await sendWithRetries({ method: spec.method, hasIdempotencyKey, policy, attemptTimeoutMs }, deps);
    } catch (error) {
      if (error instanceof RequestCancelledError) {
        throw new NodeOperationError(this.getNode(), error.message, {
          itemIndex: i,
          description: `Stopped after ${error.attempts.length} attempt(s) because the execution was cancelled; nothing more was sent.`,
        });
      }
      throw error;
    }
    outputs[result.ok ? OUTPUT.success : OUTPUT.failed].push(
      result.ok ? successItem(items[i], i, result, secrets) : failedRequestItem(items[i], i, spec, result, secrets),
    );
  }

  addHints(this, outputs[OUTPUT.failed].length, unkeyedUnsafe);
  return outputs;
}

function addHints(ctx: IExecuteFunctions, failed: number, unkeyedUnsafe: number) {
  const hints: NodeExecutionHint[] = [];
  if (failed > 0) {
    hints.push({
      message: `${failed} request(s) still failed after retrying and went to Failed; wire it to the Exception Router so an owner hears about them.`,
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
