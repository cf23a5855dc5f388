/**
 * What a replay re-delivers, decided from n8n's own records: the execution that failed (with its
 * data) and the workflow as it is now. Pure: no I/O, table-tested in test/unit/replay-source.test.ts.
 *
 * Exported API (stable; the monitor's API and dashboard import it):
 *   extractReplayInput(execution, workflow, ctx?) → ReplayInputResult
 *   refusalText(refusal) → string          one line: "<problem>; <fix>"
 *   types ReplayInput, ReplayRefusal, ReplayRefusalCode, ReplayInputResult
 *   constants WEBHOOK_NODE_TYPE, ERROR_TRIGGER_NODE_TYPE
 *
 * Why it reads n8n instead of keeping a copy: the monitor stores no payload and no secret. The input
 * the trigger received lives in n8n's execution record (`data.resultData.runData[trigger][0]
 * .data.main[output][0].json` = {headers, params, query, body, webhookUrl, executionMode}) until
 * n8n prunes it. Replay sends the body and query again to the production webhook of the workflow as
 * it is published now, so a fixed workflow gets the original input.
 *
 * What is never forwarded: the original request headers. They may carry secrets, signatures or a
 * proxy's credentials; only the body, the query and a content type leave here.
 */
import type { N8nExecution, N8nWorkflow, N8nWorkflowNode } from '../collector/n8n-client';

export const WEBHOOK_NODE_TYPE = 'n8n-nodes-base.webhook';
export const ERROR_TRIGGER_NODE_TYPE = 'n8n-nodes-base.errorTrigger';

/** What to send, and where (relative to n8n's base URL and its `/webhook/` prefix). */
export interface ReplayInput {
  workflowId: string;
  workflowName: string;
  /** The execution the input was read from (the parent run when an Error Trigger run was given). */
  executionId: string;
  /** The webhook node as it is named in the published workflow now. */
  nodeName: string;
  /** Upper case: GET, POST, PUT, PATCH, DELETE, HEAD. */
  method: string;
  /** Production path after `/webhook/`, dynamic segments (`:id`) already filled in; no leading slash. */
  path: string;
  /** The body the trigger received; undefined for GET/HEAD, which carry none. */
  body: unknown;
  /** The query string the trigger received, as n8n parsed it. */
  query: Record<string, unknown>;
  /** Content type to send `body` with; undefined when there is no body. */
  contentType: string | undefined;
}

export type ReplayRefusalCode =
  /** n8n answered 404 for the execution: pruned (EXECUTIONS_DATA_MAX_AGE) or deleted. */
  | 'execution_not_found'
  /** The execution is still running or waiting: a replay now could run the handoff twice. */
  | 'execution_running'
  /** The execution exists but n8n kept no run data for it (or not for the trigger). */
  | 'no_data'
  /** n8n hid the data (redaction policy) or left it out (too large to display). */
  | 'data_hidden'
  /** The run started from something other than a webhook (schedule, manual, another trigger). */
  | 'not_webhook'
  /** An Error Trigger run: not itself replayable; `followExecutionId` names the failed run. */
  | 'error_trigger'
  /** An Error Trigger run for a failure of the trigger itself: n8n saved no run with the input. */
  | 'trigger_failed'
  /** The trigger received binary data (a file, or the raw body), which is not re-sent. */
  | 'binary_input'
  | 'workflow_not_found'
  | 'workflow_archived'
  /** Not published (inactive): its production webhook does not answer. */
  | 'workflow_inactive'
  /** The webhook node that received the input is not in the published workflow any more (or is disabled). */
  | 'webhook_gone'
  /** The webhook wants credentials the monitor does not hold (it keeps no secrets). */
  | 'webhook_auth'
  /** The webhook path cannot be rebuilt safely (missing `:param` value, `..` segments). */
  | 'webhook_path';

export interface ReplayRefusal {
  ok: false;
  code: ReplayRefusalCode;
  /** What is wrong, naming the execution and workflow. */
  problem: string;
  /** What the owner can do instead. */
  fix: string;
  /** Only for `error_trigger`: the failed execution to read instead (loadReplayInput follows it once). */
  followExecutionId?: string;
}

export type ReplayInputResult = { ok: true; input: ReplayInput } | ReplayRefusal;

/** One line for people and logs: "<problem>; <fix>". */
export function refusalText(r: Pick<ReplayRefusal, 'problem' | 'fix'>): string {
  return `${r.problem}; ${r.fix}`;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;

const RESEND = 're-send it from the system that sent it (for the kickoff: the deal from the CRM)';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

const refuse = (code: ReplayRefusalCode, problem: string, fix: string, extra: Partial<ReplayRefusal> = {}): ReplayRefusal => ({
  ok: false,
  code,
  problem,
  fix,
  ...extra,
});

interface SnapshotNode {
  name: string;
  type?: string;
  webhookId?: string;
}

/** Nodes of the execution's own workflow snapshot (`workflowData.nodes`), read tolerantly. */
function snapshotNodes(workflowData: unknown): SnapshotNode[] {
  const nodes = obj(workflowData)?.nodes;
  if (!Array.isArray(nodes)) return [];
  return nodes.flatMap((n) => {
    const o = obj(n);
    const name = typeof o?.name === 'string' ? o.name : undefined;
    return name ? [{ name, type: str(o?.type), webhookId: str(o?.webhookId) }] : [];
  });
}

/** The first item a node output in its first run, and which output it came out of. */
function firstItem(runs: unknown): { json: Obj; binary: boolean; output: number } | undefined {
  if (!Array.isArray(runs)) return undefined;
  const main = obj(obj(obj(runs[0])?.data))?.main;
  if (!Array.isArray(main)) return undefined;
  for (let output = 0; output < main.length; output++) {
    const items = main[output];
    if (!Array.isArray(items) || items.length === 0) continue;
    const item = obj(items[0]);
    const json = obj(item?.json);
    if (!json) continue;
    const binary = obj(item?.binary);
    return { json, binary: Boolean(binary && Object.keys(binary).length > 0), output };
  }
  return undefined;
}

/** A run's trigger has no parent node: n8n records `source: []` (or null) for it. */
const startedTheRun = (runs: unknown): boolean => {
  if (!Array.isArray(runs)) return false;
  const source = obj(runs[0])?.source;
  return source === undefined || source === null || (Array.isArray(source) && source.every((s) => s === null));
};

const isTriggerType = (type: string | undefined) =>
  Boolean(type && (/trigger$/i.test(type) || type === WEBHOOK_NODE_TYPE || type === ERROR_TRIGGER_NODE_TYPE));

/** The fix for a run that did not start from a webhook, by what started it. */
function notWebhookFix(type: string | undefined, mode: string | null): string {
  if (type === 'n8n-nodes-base.scheduleTrigger' || type === 'n8n-nodes-base.cron' || type === 'n8n-nodes-base.interval') {
    return 'a scheduled run has no request to re-send: it runs again at its next scheduled time, or run the workflow now from n8n\'s editor ("Execute workflow")';
  }
  if (type === 'n8n-nodes-base.manualTrigger' || mode === 'manual') {
    return "it was started by hand in n8n's editor: run it there again";
  }
  return "replay only re-sends webhook requests: start it again the way it was started (from the system behind that trigger), or run the workflow from n8n's editor";
}

/** Fills `:name` segments from the params n8n recorded; undefined names the first missing one. */
function fillPath(path: string, params: Obj): { path: string } | { missing: string } {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (!segment.startsWith(':')) {
      out.push(segment);
      continue;
    }
    const name = segment.slice(1);
    const value = str(params[name]);
    if (value === undefined) return { missing: name };
    out.push(encodeURIComponent(value));
  }
  return { path: out.join('/') };
}

/**
 * The production path n8n serves the node on, the way n8n's getNodeWebhookUrl builds it for a
 * Webhook node (isFullPath): the `path` parameter, else the node's webhookId; a dynamic path
 * (`:id` segments) is prefixed with the webhookId.
 */
function productionPath(node: N8nWorkflowNode, params: Obj): { path: string } | { problem: string } {
  let path = (typeof node.parameters.path === 'string' ? node.parameters.path : '').trim().replace(/^\/+/, '');
  const dynamic = path.startsWith(':') || path.includes('/:');
  if (dynamic) {
    if (!node.webhookId) return { problem: `its path "${path}" has parameters but the node has no webhookId` };
    const filled = fillPath(path, params);
    if ('missing' in filled)
      return { problem: `its path "${path}" needs the parameter "${filled.missing}", which the execution did not record` };
    path = `${node.webhookId}/${filled.path}`;
  } else if (!path) {
    if (!node.webhookId) return { problem: 'it has neither a path nor a webhookId' };
    path = node.webhookId;
  }
  // The path is appended to N8N_BASE_URL/webhook/: it must not climb out of it or smuggle a query.
  const segments = path.split('/');
  // eslint-disable-next-line no-control-regex -- control characters are what this strips or refuses
  if (segments.some((s) => s === '..' || s === '.') || /[?#\\]/.test(path) || /[\u0000-\u001f]/.test(path)) {
    return { problem: `its path "${path}" cannot be sent safely` };
  }
  return { path };
}

/** The method this replay uses: the node's httpMethod (default GET); with several, the one of the output the item came out of. */
function methodOf(node: N8nWorkflowNode, output: number): string {
  const raw = node.parameters.httpMethod;
  const pick = Array.isArray(raw) ? (raw[output] ?? raw[0]) : raw;
  const method = typeof pick === 'string' && pick.trim() ? pick.trim().toUpperCase() : 'GET';
  return METHODS.has(method) ? method : 'GET';
}

/** The original media type, without parameters such as boundary (charset is harmless and kept out too). */
function mediaType(headers: Obj | undefined): string | undefined {
  const raw = str(headers?.['content-type']);
  const type = raw?.split(';')[0]?.trim().toLowerCase();
  return type && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type) ? type : undefined;
}

/** Only string / array / nested-object values of the parsed query survive; anything else is dropped. */
function cleanQuery(query: unknown): Record<string, unknown> {
  const q = obj(query);
  if (!q) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(q)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (Array.isArray(v) || obj(v)) out[k] = v;
  }
  return out;
}

/**
 * Decides what to replay for one failed execution.
 *
 * @param execution n8n's execution read with includeData=true; undefined when n8n answered 404.
 * @param workflow  the workflow as n8n has it now (`GET /workflows/:id`); undefined when it is gone.
 * @param ctx.executionId the id asked for, so a 404 can name it.
 */
export function extractReplayInput(
  execution: N8nExecution | undefined,
  workflow: N8nWorkflow | undefined,
  ctx: { executionId?: string } = {},
): ReplayInputResult {
  const id = execution?.id ?? ctx.executionId ?? '(unknown)';
  if (!execution) {
    return refuse(
      'execution_not_found',
      `n8n no longer has execution ${id} (pruned or deleted)`,
      `${RESEND}, or raise EXECUTIONS_DATA_MAX_AGE so n8n keeps executions as long as failures wait in the exception queue`,
    );
  }
  if (['running', 'waiting', 'new'].includes(execution.status)) {
    return refuse(
      'execution_running',
      `execution ${id} is still ${execution.status === 'new' ? 'queued' : execution.status}; replaying it now could run the handoff twice`,
      'wait until it ends (a waiting run may be held at a review or a Wait node) and replay it only if it fails',
    );
  }

  const data = obj(execution.data);
  const redaction = obj(data?.redactionInfo);
  if (redaction?.isRedacted === true) {
    return refuse(
      'data_hidden',
      `n8n redacted the data of execution ${id} (the workflow's redaction policy), so the input its trigger received is hidden`,
      `let the API key in N8N_API_KEY reveal execution data, or ${RESEND}`,
    );
  }
  if (execution.dataTooLargeToDisplay === true) {
    return refuse(
      'data_hidden',
      `n8n left out the data of execution ${id}: it is larger than EXECUTIONS_DATA_MAX_DISPLAY_SIZE`,
      `raise EXECUTIONS_DATA_MAX_DISPLAY_SIZE in n8n, or ${RESEND}`,
    );
  }
  const runData = obj(obj(data?.resultData)?.runData);
  const noData = () =>
    refuse(
      'no_data',
      `execution ${id} was saved without its data, so the input its trigger received is unknown`,
      `${RESEND}; to make later failures replayable, have n8n save data of failed production runs (workflow setting "Save failed production executions", EXECUTIONS_DATA_SAVE_ON_ERROR=all)`,
    );
  if (!runData || Object.keys(runData).length === 0) return noData();

  // Which node started the run: types come from the run's own snapshot of the workflow (exact even
  // if the node was renamed or removed since), else from the workflow as it is now, by name.
  const snapshot = snapshotNodes(execution.workflowData);
  const current = workflow ? [...(workflow.activeVersion?.nodes ?? []), ...workflow.nodes] : [];
  const ran = Object.keys(runData);
  // Last resort for a node known to neither (renamed or removed, and no snapshot): a run-starting
  // node whose item has the Webhook node's shape was a webhook.
  const looksLikeWebhook = (name: string) => {
    const json = firstItem(runData[name])?.json;
    return Boolean(json && startedTheRun(runData[name]) && 'headers' in json && 'webhookUrl' in json && 'body' in json);
  };
  const typeOf = (name: string) =>
    snapshot.find((n) => n.name === name)?.type ??
    current.find((n) => n.name === name)?.type ??
    (looksLikeWebhook(name) ? WEBHOOK_NODE_TYPE : undefined);

  // An error workflow's run (mode "error") whose trigger type is unknown still reports its parent.
  const errorTrigger =
    ran.find((name) => typeOf(name) === ERROR_TRIGGER_NODE_TYPE) ??
    (execution.mode === 'error' ? ran.find((name) => !typeOf(name) && startedTheRun(runData[name])) : undefined);
  if (errorTrigger) {
    const json = firstItem(runData[errorTrigger])?.json;
    // The trigger item names the failed run; n8n also records it as `data.parentExecution` (docs/n8n-facts.md).
    const parentId = str(obj(json?.execution)?.id) ?? str(obj(data?.parentExecution)?.executionId);
    const failedWorkflow = str(obj(json?.workflow)?.name) ?? str(obj(json?.workflow)?.id) ?? 'the failed workflow';
    if (parentId) {
      return refuse(
        'error_trigger',
        `execution ${id} is a run of the error workflow; it reports the failed execution ${parentId} of "${failedWorkflow}"`,
        `replay execution ${parentId} instead`,
        { followExecutionId: parentId },
      );
    }
    return refuse(
      'trigger_failed',
      `execution ${id} is an error-workflow run for a failure of the trigger of "${failedWorkflow}" itself; n8n saved no execution holding the input`,
      RESEND,
    );
  }

  const webhookName = ran.find((name) => typeOf(name) === WEBHOOK_NODE_TYPE);
  if (!webhookName) {
    const trigger = ran.find((name) => isTriggerType(typeOf(name))) ?? ran.find((name) => startedTheRun(runData[name]));
    const type = trigger ? typeOf(trigger) : undefined;
    const what = trigger
      ? `"${trigger}"${type ? ` (${type})` : ''}`
      : execution.mode
        ? `a ${execution.mode} start`
        : 'something other than a webhook';
    return refuse(
      'not_webhook',
      `execution ${id} started from ${what}, not from a webhook, so there is no request to re-send`,
      notWebhookFix(type, execution.mode),
    );
  }

  const item = firstItem(runData[webhookName]);
  if (!item) return noData();
  if (item.binary) {
    return refuse(
      'binary_input',
      `the trigger of execution ${id} received binary data (a file or the raw request body), which replay does not re-send`,
      RESEND,
    );
  }

  if (!workflow) {
    return refuse(
      'workflow_not_found',
      `workflow ${execution.workflowId} of execution ${id} no longer exists in n8n`,
      `${RESEND} into the workflow that handles it now`,
    );
  }
  const name = workflow.name || workflow.id;
  if (workflow.isArchived) {
    return refuse(
      'workflow_archived',
      `workflow "${name}" (${workflow.id}) is archived`,
      `unarchive and publish it in n8n, then replay; or ${RESEND}`,
    );
  }
  // n8n 2.x: `active` mirrors "has a published version"; fall back to that when `active` is absent.
  const published = workflow.active ?? Boolean(workflow.activeVersionId || workflow.activeVersion);
  if (!published) {
    return refuse(
      'workflow_inactive',
      `workflow "${name}" (${workflow.id}) is not published (active), so its production webhook does not answer`,
      'publish (activate) it in n8n, then replay',
    );
  }

  // The production webhook serves the published version; the draft in `nodes` may differ.
  const served = workflow.activeVersion?.nodes ?? workflow.nodes;
  const webhookId = snapshot.find((n) => n.name === webhookName)?.webhookId;
  const node =
    (webhookId ? served.find((n) => n.type === WEBHOOK_NODE_TYPE && n.webhookId === webhookId) : undefined) ??
    served.find((n) => n.type === WEBHOOK_NODE_TYPE && n.name === webhookName);
  if (!node) {
    return refuse(
      'webhook_gone',
      `the webhook node "${webhookName}" that received execution ${id} is no longer in the published workflow "${name}"`,
      `${RESEND} to the workflow's current trigger, or restore the node and publish`,
    );
  }
  if (node.disabled) {
    return refuse(
      'webhook_gone',
      `the webhook node "${node.name}" of workflow "${name}" is disabled`,
      'enable it and publish the workflow, then replay',
    );
  }
  const auth = typeof node.parameters.authentication === 'string' ? node.parameters.authentication : 'none';
  if (auth !== 'none') {
    return refuse(
      'webhook_auth',
      `the webhook "${node.name}" of workflow "${name}" requires ${auth} credentials, which the monitor does not hold (it keeps no secrets and never forwards the original headers)`,
      RESEND,
    );
  }

  const path = productionPath(node, obj(item.json.params) ?? {});
  if ('problem' in path) return refuse('webhook_path', `the webhook "${node.name}" cannot be replayed: ${path.problem}`, RESEND);

  const method = methodOf(node, item.output);
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? (item.json.body ?? {}) : undefined;
  // A string body (text, raw XML) goes back with its own media type; anything n8n parsed (JSON,
  // form fields, XML turned into objects) goes back as JSON, which n8n parses to the same body.
  const contentType = !hasBody
    ? undefined
    : typeof body === 'string'
      ? (mediaType(obj(item.json.headers)) ?? 'text/plain')
      : 'application/json';

  return {
    ok: true,
    input: {
      workflowId: workflow.id,
      workflowName: workflow.name,
      executionId: execution.id,
      nodeName: node.name,
      method,
      path: path.path,
      body,
      query: cleanQuery(item.json.query),
      contentType,
    },
  };
}
