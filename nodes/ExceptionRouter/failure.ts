/**
 * Reads what failed from any failing item the router accepts, so the rest of the node sees one
 * shape: n8n's error output (json.error as text or object), an Error Trigger payload
 * ({execution:{id,url,error,lastNodeExecuted}, workflow:{id,name}}), and our nodes' Failed /
 * Invalid / Fail outputs (`_handoff` {handoff,key} and a `kind`). Pure: table-tested.
 */
import type { IDataObject } from 'n8n-workflow';

export interface Failure {
  handoff?: string;
  key?: string;
  kind: string;
  error: { message: string; description?: string; node?: string; httpCode?: string };
  execution: { id?: string; url?: string; workflowId?: string; workflowName?: string };
  /** Error Trigger payloads describe another execution; their fields win over this execution's. */
  fromErrorTrigger: boolean;
  /**
   * When the failure itself happened, if the item says (epoch ms): its `failedAt` (e.g. a reconcile
   * miss's deal close time), or for Resilient Request's Failed output the start of the first attempt.
   */
  failedAt?: number;
}

/**
 * The failure's own time from the item. Resilient Request's attempts carry times relative to the
 * first attempt (`atMs`, `durationMs`) and the item reaches the router right after the last one, so
 * the first attempt started about (last.atMs + last.durationMs) before `now`.
 */
export function failureTime(json: IDataObject, now: number): number | undefined {
  const meta = obj(json._handoff);
  for (const raw of [json.failedAt, meta?.failedAt]) {
    if (typeof raw === 'string' || typeof raw === 'number') {
      const ms = typeof raw === 'number' ? raw : Date.parse(raw);
      if (Number.isFinite(ms) && ms > 0) return Math.min(ms, now);
    }
  }
  const attempts = Array.isArray(json.attempts) ? json.attempts : undefined;
  const last = attempts?.length ? obj(attempts[attempts.length - 1]) : undefined;
  if (last && typeof last.atMs === 'number' && typeof last.durationMs === 'number') return Math.max(0, now - (last.atMs + last.durationMs));
  return undefined;
}

const obj = (v: unknown): IDataObject | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as IDataObject) : undefined;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
const KIND = /^[a-z][a-z0-9_]{0,63}$/;

/** `Request Failed` or `request-failed` → `request_failed`; anything unusable → undefined. */
export function normaliseKind(raw: unknown): string | undefined {
  const s = str(raw)
    ?.toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return s && KIND.test(s) ? s : undefined;
}

function readError(raw: unknown): Failure['error'] | undefined {
  const text = str(raw);
  if (text) return { message: text };
  const e = obj(raw);
  if (!e) return undefined;
  const node = obj(e.node);
  return {
    message: str(e.message) ?? str(e.name) ?? 'Unknown error',
    ...(str(e.description) ? { description: str(e.description) } : {}),
    ...((str(node?.name) ?? str(e.node)) ? { node: str(node?.name) ?? str(e.node) } : {}),
    ...(str(e.httpCode) ? { httpCode: str(e.httpCode) } : {}),
  };
}

export function readFailure(json: IDataObject): Failure {
  const meta = obj(json._handoff);
  const execution = obj(json.execution);
  const workflow = obj(json.workflow);
  const trigger = obj(json.trigger);
  const isErrorTrigger = Boolean(workflow && (obj(execution?.error) || obj(trigger?.error)));

  if (isErrorTrigger) {
    const error = readError(execution?.error ?? trigger?.error) ?? { message: 'The workflow failed' };
    const lastNode = str(execution?.lastNodeExecuted);
    return {
      handoff: str(meta?.handoff),
      key: str(meta?.key),
      kind: normaliseKind(json.kind) ?? (trigger ? 'trigger_error' : 'workflow_error'),
      error: { ...error, ...(error.node ? {} : lastNode ? { node: lastNode } : {}) },
      execution: {
        ...(str(execution?.id) ? { id: str(execution?.id) } : {}),
        ...(str(execution?.url) ? { url: str(execution?.url) } : {}),
        ...(str(workflow?.id) ? { workflowId: str(workflow?.id) } : {}),
        ...(str(workflow?.name) ? { workflowName: str(workflow?.name) } : {}),
      },
      fromErrorTrigger: true,
    };
  }

  // Our nodes: Resilient Request's Failed, Preflight's Invalid, QA Verify's Fail.
  const kind = normaliseKind(json.kind) ?? normaliseKind(meta?.kind);
  const read =
    readError(json.error) ??
    readError(meta?.reason) ??
    (kind ? { message: `The handoff step reported ${kind}` } : { message: 'The item arrived at the Exception Router without an error' });
  // Resilient Request and continue-on-fail items put the fix beside the message, not inside it.
  const error = read.description || !str(json.errorDescription) ? read : { ...read, description: str(json.errorDescription) };
  return {
    handoff: str(meta?.handoff),
    // A key computed by an expression travels as the top-level idempotencyKey (Resilient Request).
    key: str(meta?.key) ?? str(json.idempotencyKey),
    kind: kind ?? (json.error !== undefined ? 'node_error' : 'unknown'),
    error,
    execution: {},
    fromErrorTrigger: false,
  };
}
