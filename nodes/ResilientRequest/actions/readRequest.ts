/**
 * Reads the node's parameters into one request per item. Mistakes a person can fix (an empty URL,
 * a body that is not JSON, a key that is an object) become errors naming the field, item and fix.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { jsonParse, NodeOperationError } from 'n8n-workflow';
import { DEFAULT_BACKOFF_POLICY, type BackoffPolicy } from '../../shared/backoff';
import { readPath } from '../../shared/field-path';
import { isSecretKey } from '../../../protocol/redact';
import { DEFAULT_ATTEMPT_TIMEOUT_MS, GATE_KEY_FIELD } from '../description';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export interface RequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  qs: IDataObject;
  body?: IDataObject | IDataObject[];
  /** The Idempotency-Key sent, if any (from the key source or typed as a header). */
  idempotencyKey?: string;
  /** Values from secret-named headers and body fields, to scrub from anything echoed back. */
  secrets: string[];
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type NameValue = { parameters?: Array<{ name?: string; value?: unknown }> };

function readPairs(ctx: IExecuteFunctions, name: string, i: number): Array<[string, string]> {
  const raw = ctx.getNodeParameter(name, i, {}) as NameValue;
  return (raw.parameters ?? [])
    .filter((p) => typeof p.name === 'string' && p.name.trim() !== '')
    .map((p) => [p.name!.trim(), p.value === undefined || p.value === null ? '' : String(p.value)]);
}

export function readRequest(ctx: IExecuteFunctions, item: INodeExecutionData, i: number): RequestSpec {
  const fail = (message: string, description: string) => new NodeOperationError(ctx.getNode(), message, { itemIndex: i, description });
  const method = String(ctx.getNodeParameter('method', i, 'POST')).toUpperCase();
  const url = String(ctx.getNodeParameter('url', i, '') ?? '').trim();
  if (!url) throw fail(`The URL is empty in item ${i}`, 'Fill in "URL", e.g. https://tasks.example.com/api/projects');
  if (!/^https?:\/\/[^/\s]+/i.test(url)) {
    throw fail(`The URL "${url}" in item ${i} is not an http(s) address`, 'Start "URL" with http:// or https:// followed by the host name');
  }

  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [name, value] of readPairs(ctx, 'headerParameters', i)) {
    headers[name] = value;
    if (isSecretKey(name)) secrets.push(value, value.replace(/^\S+\s+/, ''));
  }
  const qs: IDataObject = {};
  for (const [name, value] of readPairs(ctx, 'queryParameters', i)) {
    qs[name] = value;
    if (isSecretKey(name)) secrets.push(value);
  }

  const body = BODY_METHODS.has(method) && ctx.getNodeParameter('sendBody', i, true) ? readBody(ctx, item, i, fail) : undefined;
  if (body) collectSecrets(body, secrets);

  const typedKey = Object.keys(headers).find((h) => h.toLowerCase() === IDEMPOTENCY_HEADER.toLowerCase());
  let idempotencyKey = typedKey ? headers[typedKey].trim() || undefined : undefined;
  if (!typedKey) {
    idempotencyKey = readKey(ctx, item, i, fail);
    if (idempotencyKey) headers[IDEMPOTENCY_HEADER] = idempotencyKey;
  }
  return { method, url, headers, qs, body, idempotencyKey, secrets: secrets.filter(Boolean) };
}

function readBody(
  ctx: IExecuteFunctions,
  item: INodeExecutionData,
  i: number,
  fail: (m: string, d: string) => NodeOperationError,
): IDataObject | IDataObject[] {
  if (ctx.getNodeParameter('bodySource', i, 'item') === 'item') return item.json;
  const raw = ctx.getNodeParameter('jsonBody', i, '{}') as unknown;
  if (typeof raw === 'object' && raw !== null) return raw as IDataObject;
  try {
    return jsonParse<IDataObject>(String(raw));
  } catch (error) {
    throw fail(
      `The JSON Body of item ${i} is not valid JSON`,
      `Fix "JSON Body": ${(error as Error).message}. Quote text values, e.g. "name": "{{ $json.name }}".`,
    );
  }
}

function readKey(
  ctx: IExecuteFunctions,
  item: INodeExecutionData,
  i: number,
  fail: (m: string, d: string) => NodeOperationError,
): string | undefined {
  const source = ctx.getNodeParameter('keySource', i, 'field') as string;
  if (source === 'none') return undefined;
  const label = source === 'expression' ? 'the Key expression' : `field "${ctx.getNodeParameter('keyField', i, GATE_KEY_FIELD)}"`;
  const raw =
    source === 'expression'
      ? ctx.getNodeParameter('keyExpression', i, undefined)
      : readPath(item.json, String(ctx.getNodeParameter('keyField', i, GATE_KEY_FIELD)).trim());
  // No key is allowed (GET and PUT need none); POST/PATCH are then simply not retried.
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  if (typeof raw === 'string') return raw.trim() || undefined;
  throw fail(
    `The idempotency key (${label}) in item ${i} is ${Array.isArray(raw) ? 'a list' : typeof raw}, not a text or number`,
    'Point "Key Field" at the id itself (e.g. deal.id rather than deal), or change the Key expression',
  );
}

/** Values under secret-named keys anywhere in the body: a token sent must never be echoed back. */
function collectSecrets(value: unknown, into: string[], depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    if (isSecretKey(key) && (typeof child === 'string' || typeof child === 'number')) into.push(String(child));
    else collectSecrets(child, into, depth + 1);
  }
}

/** The node's retry parameters over the design defaults. */
export function readPolicy(ctx: IExecuteFunctions): { policy: BackoffPolicy; attemptTimeoutMs: number } {
  const r = ctx.getNodeParameter('retry', 0, {}) as IDataObject;
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback);
  const d = DEFAULT_BACKOFF_POLICY;
  return {
    policy: {
      maxAttempts: Math.max(1, Math.floor(num(r.maxAttempts, d.maxAttempts))),
      baseDelayMs: num(r.baseDelayMs, d.baseDelayMs),
      maxDelayMs: num(r.maxDelayMs, d.maxDelayMs),
      fullJitter: typeof r.fullJitter === 'boolean' ? r.fullJitter : d.fullJitter,
      totalBudgetMs: Math.round(num(r.totalBudgetSeconds, d.totalBudgetMs / 1000) * 1000),
    },
    attemptTimeoutMs: Math.max(1, num(r.attemptTimeoutMs, DEFAULT_ATTEMPT_TIMEOUT_MS)),
  };
}
