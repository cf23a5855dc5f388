/**
 * What each node of a workflow does: which system it reads or writes (app nodes through the app
 * table, HTTP Request and Resilient Request through their URL), how it retries, and which nodes
 * are Handoff Guard safeguards. Pure: workflow in, facts out.
 */
import { appForNode, appForTrigger, classifyOperation, GENERIC_TRIGGERS, shortType } from './apps';
import { resolveUrl, type ExpressionContext } from './expressions';
import { isTriggerType, upstream, type WorkflowGraph } from './graph';
import type { SystemRegistry } from './systems';
import type { AuditNode, AuditWorkflow, NodeAction, Trigger } from './types';

export const PACK = 'n8n-nodes-handoff-guard.';

export type GuardRole = 'claim' | 'complete' | 'release' | 'qa-compare' | 'qa-reconcile' | 'preflight' | 'router';

export interface GuardNode {
  node: string;
  role: GuardRole;
  /** The handoff id the node names, when it is written literally. */
  handoff?: string;
}

export interface NodeFacts {
  triggers: Trigger[];
  actions: NodeAction[];
  guards: GuardNode[];
  unresolved: { node: string; url: string }[];
}

/** Webhook paths of every workflow audited together: a request to one of them calls that workflow. */
export type WebhookIndex = Map<string, { workflowId: string; workflow: string }>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The handoff id a pack node names literally: a plain string (node versions before the picker) or
 * the picker's resource locator `{__rl, mode, value}`. An expression names none the audit can read.
 */
export function handoffOf(node: AuditNode): string | undefined {
  const raw = node.parameters?.handoff;
  const value = raw !== null && typeof raw === 'object' && 'value' in raw ? (raw as { value: unknown }).value : raw;
  const id = typeof value === 'string' ? value.trim() : undefined;
  return id && !id.startsWith('=') ? id : undefined;
}

export function guardRole(node: AuditNode): GuardRole | undefined {
  if (!node.type.startsWith(PACK)) return undefined;
  const p = node.parameters ?? {};
  switch (node.type.slice(PACK.length)) {
    case 'idempotencyGate': {
      const op = str(p.operation) ?? 'claim';
      return op === 'complete' || op === 'release' ? op : 'claim';
    }
    case 'qaVerify':
      return str(p.mode) === 'reconcile' ? 'qa-reconcile' : 'qa-compare';
    case 'preflightValidate':
      return 'preflight';
    case 'exceptionRouter':
      return 'router';
    default:
      return undefined;
  }
}

/** A webhook or form trigger's path, without slashes. */
export function webhookPath(node: AuditNode): string | undefined {
  const s = shortType(node.type);
  if (s !== 'webhook' && s !== 'formTrigger') return undefined;
  const path = str(node.parameters?.path) ?? node.webhookId;
  return path?.replace(/^\/+|\/+$/g, '') || undefined;
}

function describeTrigger(node: AuditNode, systems: SystemRegistry): Trigger {
  const s = shortType(node.type);
  const p = node.parameters ?? {};
  if (s === 'webhook' || s === 'formTrigger') {
    const path = webhookPath(node);
    const method = s === 'webhook' ? (str(p.httpMethod) ?? 'GET') : 'POST';
    return {
      node: node.name,
      kind: s === 'webhook' ? 'webhook' : 'form',
      label: s === 'webhook' ? `${method} /webhook/${path ?? '?'}` : `n8n form /form/${path ?? '?'}`,
      path,
      system: path ? systems.webhook(path).id : undefined,
    };
  }
  if (s === 'scheduleTrigger' || s === 'cron' || s === 'interval') return { node: node.name, kind: 'schedule', label: scheduleLabel(p) };
  if (s === 'manualTrigger' || s === 'start') return { node: node.name, kind: 'manual', label: 'manual' };
  if (s === 'errorTrigger') return { node: node.name, kind: 'error', label: 'another workflow failed (Error Trigger)' };
  if (s === 'executeWorkflowTrigger') return { node: node.name, kind: 'sub-workflow', label: 'called by another workflow' };
  if (s === 'emailReadImap' || s === 'emailReadImapTrigger') return { node: node.name, kind: 'email', label: 'email arrives (IMAP)' };
  if (s === 'chatTrigger') return { node: node.name, kind: 'chat', label: 'chat message' };
  const app = GENERIC_TRIGGERS.has(s) ? undefined : appForTrigger(node.type);
  if (app) {
    const system = systems.app(app);
    const events = triggerEvents(p);
    return { node: node.name, kind: 'app', label: `${app.name} trigger${events ? ` (${events})` : ''}`, system: system.id };
  }
  return { node: node.name, kind: 'other', label: s };
}

function scheduleLabel(p: Record<string, unknown>): string {
  const interval = (p.rule as { interval?: Record<string, unknown>[] } | undefined)?.interval?.[0];
  if (!interval) return 'schedule';
  const field = str(interval.field) ?? 'days';
  const every = interval[`${field}Interval`];
  if (field === 'cronExpression') return `cron ${str(interval.expression) ?? ''}`.trim();
  const at = typeof interval.triggerAtHour === 'number' ? ` at ${String(interval.triggerAtHour).padStart(2, '0')}:00` : '';
  return `every ${typeof every === 'number' && every > 1 ? `${every} ${field}` : field.replace(/s$/, '')}${at}`;
}

/** "deal.creation, contact.creation" from the common shapes app triggers keep their events in. */
function triggerEvents(p: Record<string, unknown>): string | undefined {
  const ui = (p.eventsUi as { eventValues?: { name?: unknown }[] } | undefined)?.eventValues;
  const list = ui
    ? ui.map((e) => e.name)
    : Array.isArray(p.events)
      ? p.events
      : [p.event ?? p.trigger ?? (p.action && p.object ? `${String(p.object)}.${String(p.action)}` : undefined)];
  const words = list.filter((e): e is string => typeof e === 'string' && !e.startsWith('='));
  return words.length ? words.slice(0, 3).join(', ') + (words.length > 3 ? ', …' : '') : undefined;
}

/** An Idempotency-Key among a request node's headers (key/value list or JSON text). */
function sendsIdempotencyKey(node: AuditNode): boolean {
  const p = node.parameters ?? {};
  const lists = [
    (p.headerParameters as { parameters?: { name?: unknown }[] } | undefined)?.parameters,
    (p.headerParametersUi as { parameter?: { name?: unknown }[] } | undefined)?.parameter,
  ];
  const named = lists.some(
    (l) => Array.isArray(l) && l.some((h) => typeof h?.name === 'string' && /^idempotency-key$/i.test(h.name.trim())),
  );
  const json = [p.jsonHeaders, p.headerParametersJson].some((t) => typeof t === 'string' && /idempotency-key/i.test(t));
  const v3 = (node.typeVersion ?? 1) >= 3;
  // HTTP Request v3+ sends headers only with Send Headers on.
  if (v3 && shortType(node.type) === 'httpRequest' && p.sendHeaders !== true) return false;
  return named || json;
}

const isDeleteLike = (a: NodeAction) =>
  a.method === 'DELETE' || /^(delete|remove|archive|trash|softDelete|deactive|disable|clear|kick|ban|leave|close)/i.test(a.operation);
export const deletes = isDeleteLike;

export function describeNodes(wf: AuditWorkflow, g: WorkflowGraph, systems: SystemRegistry, webhooks: WebhookIndex): NodeFacts {
  const facts: NodeFacts = { triggers: [], actions: [], guards: [], unresolved: [] };
  const ctx: ExpressionContext = { nodes: g.nodes, upstream: (name) => upstream(g, name) };
  for (const node of wf.nodes) {
    if (node.disabled) continue;
    if (isTriggerType(node.type)) {
      facts.triggers.push(describeTrigger(node, systems));
      continue;
    }
    const role = guardRole(node);
    if (role) {
      facts.guards.push({ node: node.name, role, handoff: handoffOf(node) });
      if (role === 'router') {
        const notify = str(node.parameters?.notify) ?? 'none';
        if (notify !== 'none') {
          const a = requestAction(node, 'POST', node.parameters?.notifyUrl, ctx, systems, webhooks, facts);
          if (a) facts.actions.push({ ...a, effect: 'message', operation: `notify (${notify})` });
        }
      }
      continue;
    }
    if (node.type === `${PACK}resilientRequest`) {
      const method = (str(node.parameters?.method) ?? 'POST').toUpperCase();
      const a = requestAction(node, method, node.parameters?.url, ctx, systems, webhooks, facts);
      if (!a) continue;
      const key = (str(node.parameters?.keySource) ?? 'field') !== 'none' || sendsIdempotencyKey(node);
      const retried = !['POST', 'PATCH'].includes(method) || key;
      facts.actions.push({ ...a, idempotencyKey: key, retry: retried ? 'resilient' : 'resilient-no-key' });
      continue;
    }
    if (shortType(node.type) === 'httpRequest') {
      const p = node.parameters ?? {};
      const rawMethod = (node.typeVersion ?? 1) >= 3 ? str(p.method) : str(p.requestMethod);
      const method = (rawMethod ?? 'GET').toUpperCase();
      const a = requestAction(node, method.startsWith('=') ? 'POST' : method, p.url, ctx, systems, webhooks, facts);
      if (a) facts.actions.push({ ...a, idempotencyKey: sendsIdempotencyKey(node), retry: node.retryOnFail ? 'retry-on-fail' : 'none' });
      continue;
    }
    const app = appForNode(node.type);
    if (app) {
      const op = classifyOperation(app, node);
      const system = systems.app(app);
      facts.actions.push({
        node: node.name,
        type: node.type,
        access: op.access,
        effect: op.effect,
        duplicates: op.duplicates,
        operation: op.resource ? `${op.resource}.${op.operation}` : op.operation,
        system: system.id,
        retry: node.retryOnFail ? 'retry-on-fail' : 'none',
      });
    }
  }
  return facts;
}

/** An HTTP call: its system from the URL, or the URL reported unresolved. */
function requestAction(
  node: AuditNode,
  method: string,
  rawUrl: unknown,
  ctx: ExpressionContext,
  systems: SystemRegistry,
  webhooks: WebhookIndex,
  facts: NodeFacts,
): NodeAction | undefined {
  const resolved = resolveUrl(rawUrl, node.name, ctx);
  if (!resolved) return undefined;
  const write = !['GET', 'HEAD', 'OPTIONS'].includes(method);
  const base: NodeAction = {
    node: node.name,
    type: node.type,
    access: write ? 'write' : 'read',
    effect: 'record',
    duplicates: method === 'POST',
    operation: method,
    method,
    retry: 'none',
  };
  if (!resolved.host) {
    facts.unresolved.push({ node: node.name, url: resolved.url });
    return { ...base, unresolved: resolved.url };
  }
  // A production (or test) webhook of a workflow audited alongside: that workflow's own guards apply.
  const hook = /^\/webhook(?:-test)?\/([^?#]+)/.exec(resolved.path ?? '');
  const target = hook ? webhooks.get(decodeURIComponent(hook[1]).replace(/\/+$/, '')) : undefined;
  if (target)
    return {
      ...base,
      duplicates: false,
      operation: `${method} → workflow "${target.workflow}"`,
      host: resolved.host,
      invokes: target.workflowId,
    };
  const system = systems.url(resolved.host, resolved.path ?? '');
  const message = system.kind === 'chat' || system.kind === 'email';
  return { ...base, host: resolved.host, system: system.id, effect: message && write ? 'message' : 'record' };
}
