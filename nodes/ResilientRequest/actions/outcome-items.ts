/**
 * The items the node emits. A Failed item is shaped for the Exception Router: `kind`, the
 * idempotency key, an error naming what failed and what to do, the redacted attempt log and a
 * redacted, size-capped sample of the last answer.
 */
import type { IDataObject, INodeExecutionData, NodeOperationError } from 'n8n-workflow';
import { redact } from '../../../protocol/redact';
import type { AttemptRecord, RetryLoopResult } from '../retry-loop';
import type { RequestSpec } from './readRequest';

export const FAILED_KIND = 'request_failed';

/** Enough of a refused answer to see why; the monitor redacts again and caps samples too. */
const RESPONSE_SAMPLE_LIMITS = { maxString: 300, maxDepth: 4, maxArray: 10, maxKeys: 30 };

type Failure = Extract<RetryLoopResult, { status: 'failed' }>;

export function redactAttempts(attempts: AttemptRecord[], secrets: string[]): IDataObject[] {
  return redact(attempts, { knownSecrets: secrets }) as IDataObject[];
}

export function successItem(
  item: INodeExecutionData,
  index: number,
  result: Extract<RetryLoopResult, { status: 'success' }>,
  secrets: string[],
): INodeExecutionData {
  return {
    json: {
      ...item.json,
      // The body is what the workflow asked for, so it is passed on whole; only the log is scrubbed.
      response: { statusCode: result.response.statusCode, body: result.response.body as IDataObject },
      attempts: redactAttempts(result.attempts, secrets),
    },
    binary: item.binary,
    pairedItem: { item: index },
  };
}

export function failedRequestItem(
  item: INodeExecutionData,
  index: number,
  spec: RequestSpec,
  result: Failure,
  secrets: string[],
): INodeExecutionData {
  const url = redact(spec.url, { knownSecrets: secrets }) as string;
  const { message, description } = describeFailure(spec.method, url, result);
  return {
    // No `error` object on the item: n8n would move it to the error output, away from Failed.
    json: {
      ...item.json,
      error: message,
      errorDescription: description,
      kind: FAILED_KIND,
      idempotencyKey: spec.idempotencyKey ?? null,
      request: { method: spec.method, url },
      ...(result.response && {
        response: redact(
          { statusCode: result.response.statusCode, body: result.response.body },
          { knownSecrets: secrets, limits: RESPONSE_SAMPLE_LIMITS },
        ) as IDataObject,
      }),
      attempts: redactAttempts(result.attempts, secrets),
    },
    binary: item.binary,
    pairedItem: { item: index },
  };
}

/** What failed, in one line, and what a person should do about it. */
export function describeFailure(method: string, url: string, result: Failure): { message: string; description: string } {
  const last = result.attempts[result.attempts.length - 1];
  const answer =
    last.status !== null
      ? `HTTP ${last.status}`
      : last.errorCode === 'ETIMEDOUT'
        ? 'no answer in time'
        : `no answer (${last.errorCode ?? last.error ?? 'unknown error'})`;
  const n = result.attempts.length;
  const message = `${method} ${url} failed after ${n} attempt${n === 1 ? '' : 's'}: ${answer}`;
  const seconds = (result.elapsedMs / 1000).toFixed(1);
  const replay = 'Wire Failed to the Exception Router so the owner gets an incident; replay later with the same Idempotency-Key.';

  switch (result.stop.why === 'not_retryable' ? result.decision.rule : result.stop.why) {
    case 'client_error':
      if (last.status === 401 || last.status === 403) {
        return {
          message,
          description: `The target refused the credentials (HTTP ${last.status}). Check the credential chosen under "Authentication" and its permissions. Not retried: the same request would be refused again.`,
        };
      }
      return {
        message,
        description: `The target refused the request itself (HTTP ${last.status}); response.body says why. Fix the data or the URL, then replay. Not retried: the same request would get the same answer.`,
      };
    case 'unsafe_method':
      return {
        message,
        description: `Sent once only: a ${method} without an Idempotency-Key may already have been acted on, so a retry could create a duplicate. Put an Idempotency Gate before this node (its key is used by default) or set "Idempotency Key" so it can be retried safely.`,
      };
    case 'not_implemented':
      return { message, description: `The target does not support this request (HTTP ${last.status}). Check "Method" and "URL".` };
    case 'not_transient':
      return {
        message,
        description: `The request could not be sent (${last.errorCode ?? last.error ?? 'unknown error'}): check "URL", the host name and the target's TLS certificate. Not retried: this is a setup problem, not a passing failure.`,
      };
    case 'budget_used':
      return {
        message,
        description: `Stopped after ${seconds} s to stay within the total time budget: ${last.reason}. Raise "Total Budget" under Retry if the target needs longer. ${replay}`,
      };
    default:
      return {
        message,
        description: `The target kept failing for all ${n} attempts over ${seconds} s. ${replay} To ride out longer outages raise "Max Attempts" under Retry.`,
      };
  }
}

/**
 * An item whose request could not be built (bad URL, body, key), under "continue on fail". Without
 * an `error` object on purpose: n8n replaces the json of such items with just the message. With
 * the error output in use, n8n moves items whose json has only error/details there and merges the
 * input back in; otherwise the item stays on Failed, with its input, for the Exception Router.
 */
export function unbuildableItem(
  item: INodeExecutionData,
  index: number,
  error: NodeOperationError,
  toErrorOutput: boolean,
): INodeExecutionData {
  const json: IDataObject = toErrorOutput
    ? { error: error.message, ...(error.description && { details: error.description }) }
    : { ...item.json, error: error.message, errorDescription: error.description ?? null, kind: FAILED_KIND, idempotencyKey: null };
  return { json, binary: item.binary, pairedItem: { item: index } };
}
