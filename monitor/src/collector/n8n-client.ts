/**
 * The slice of n8n's public API the collector reads (docs/n8n-facts.md "Workflows and the public API"):
 * executions in cursor pages of ≤ 250, newest first; one execution by id, with its data when asked;
 * workflows with their tags; one workflow by id with its nodes (replay reads its webhook trigger).
 * Responses are checked with zod at this edge, so a changed n8n fails here with the field named,
 * not deep inside the collector.
 */
import { z } from 'zod';
import { redactString } from '../../../protocol/redact';

/** n8n clamps `limit` to 250 (docs/n8n-facts.md). */
export const N8N_PAGE_LIMIT = 250;

const id = z.union([z.string(), z.number()]).transform(String);
const time = z
  .union([z.string(), z.null()])
  .optional()
  .transform((v) => {
    if (!v) return null;
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : ms;
  });
const optionalId = z
  .union([id, z.null()])
  .optional()
  .transform((v) => v ?? null);

export const n8nExecutionSchema = z.object({
  id,
  workflowId: id,
  status: z.string().default('unknown'),
  finished: z.boolean().optional(),
  mode: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  startedAt: time,
  stoppedAt: time,
  waitTill: time,
  retryOf: optionalId,
  retrySuccessId: optionalId,
  data: z.unknown().optional(),
  /**
   * With includeData, n8n also returns the workflow as it was when the run started (nodes with
   * their types and webhookIds): replay reads it to tell which node was the trigger. Kept opaque here.
   */
  workflowData: z.unknown().optional(),
  /** n8n returns `data` empty when it is larger than EXECUTIONS_DATA_MAX_DISPLAY_SIZE (newer n8n). */
  dataTooLargeToDisplay: z.boolean().optional(),
});
export type N8nExecution = z.output<typeof n8nExecutionSchema>;

/** A node as `GET /api/v1/workflows/:id` lists it; only what replay reads is typed, the rest is dropped. */
export const n8nWorkflowNodeSchema = z.object({
  name: z.string(),
  type: z.string(),
  typeVersion: z.number().optional(),
  parameters: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((v) => v ?? {}),
  webhookId: z
    .string()
    .nullish()
    .transform((v) => v ?? undefined),
  disabled: z
    .boolean()
    .nullish()
    .transform((v) => v ?? undefined),
});
export type N8nWorkflowNode = z.output<typeof n8nWorkflowNodeSchema>;

/**
 * One workflow. `nodes` is the saved (possibly unpublished) draft; n8n 2.x also returns
 * `activeVersion`, the published version its production webhooks serve (null when unpublished).
 */
export const n8nWorkflowSchema = z.object({
  id,
  name: z.string().default(''),
  active: z.boolean().optional(),
  activeVersionId: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  isArchived: z.boolean().optional(),
  nodes: z.array(n8nWorkflowNodeSchema),
  activeVersion: z
    .object({ versionId: z.string().optional(), nodes: z.array(n8nWorkflowNodeSchema) })
    .nullish()
    .transform((v) => v ?? null),
});
export type N8nWorkflow = z.output<typeof n8nWorkflowSchema>;

/**
 * A workflow as `GET /api/v1/workflows` lists it, for the audit (monitor/src/audit/): the nodes with
 * the settings that decide how a node fails and retries, the connections, the settings (error
 * workflow), the tags and the published version. Unknown node fields are dropped.
 */
export const n8nAuditNodeSchema = n8nWorkflowNodeSchema.extend({
  typeVersion: z
    .number()
    .nullish()
    .transform((v) => v ?? undefined),
  retryOnFail: z
    .boolean()
    .nullish()
    .transform((v) => v ?? undefined),
  maxTries: z
    .number()
    .nullish()
    .transform((v) => v ?? undefined),
  onError: z
    .string()
    .nullish()
    .transform((v) => v ?? undefined),
  continueOnFail: z
    .boolean()
    .nullish()
    .transform((v) => v ?? undefined),
});
const looseRecord = z
  .record(z.string(), z.unknown())
  .nullish()
  .transform((v) => v ?? {});
export const n8nWorkflowWithNodesSchema = z.object({
  id,
  name: z.string().default(''),
  active: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
  activeVersionId: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  isArchived: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
  nodes: z
    .array(n8nAuditNodeSchema)
    .nullish()
    .transform((v) => v ?? []),
  connections: looseRecord,
  settings: looseRecord,
  tags: z
    .array(z.object({ name: z.string() }))
    .nullish()
    .transform((v) => (v ?? []).map((t) => t.name)),
  activeVersion: z
    .object({ versionId: z.string().optional(), nodes: z.array(n8nAuditNodeSchema), connections: looseRecord })
    .nullish()
    .transform((v) => v ?? null),
});
export type N8nWorkflowWithNodes = z.output<typeof n8nWorkflowWithNodesSchema>;
const workflowWithNodesPage = z.object({ data: z.array(n8nWorkflowWithNodesSchema), nextCursor: z.string().nullish() });

const executionPage = z.object({ data: z.array(n8nExecutionSchema), nextCursor: z.string().nullish() });
const workflowPage = z.object({
  data: z.array(z.object({ id, name: z.string().optional(), tags: z.array(z.object({ name: z.string() })).nullish() })),
  nextCursor: z.string().nullish(),
});

export interface N8nWorkflowTags {
  id: string;
  name?: string;
  tags: string[];
}

export class N8nApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'N8nApiError';
  }
}

export interface N8nClient {
  listExecutions(query: {
    status?: string;
    cursor?: string;
    includeData?: boolean;
  }): Promise<{ data: N8nExecution[]; nextCursor?: string }>;
  /** Undefined when n8n no longer has it (deleted or pruned). */
  getExecution(id: string, includeData: boolean): Promise<N8nExecution | undefined>;
  listWorkflows(cursor?: string): Promise<{ data: N8nWorkflowTags[]; nextCursor?: string }>;
  /** One workflow with its nodes; undefined when n8n has no such workflow (deleted). */
  getWorkflow(id: string): Promise<N8nWorkflow | undefined>;
}

/** The audit's read: every workflow with its nodes, a page (≤ 250) at a time, pinned data left out. */
export interface N8nWorkflowLister {
  listWorkflowsWithNodes(cursor?: string): Promise<{ data: N8nWorkflowWithNodes[]; nextCursor?: string }>;
}

export function createN8nClient(opts: {
  baseUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): N8nClient & N8nWorkflowLister {
  const doFetch = opts.fetch ?? fetch;
  const base = opts.baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 30_000;

  const get = async (path: string, params: Record<string, string | undefined>, allow404 = false): Promise<unknown> => {
    const url = new URL(`${base}/api/v1${path}`);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await doFetch(url, {
        headers: { 'X-N8N-API-KEY': opts.apiKey, accept: 'application/json' },
        // A redirect is never followed: fetch would repeat the API key to wherever it points.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new N8nApiError(`n8n at ${base} is unreachable: ${(err as Error).message}`);
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => undefined);
      throw new N8nApiError(redirectMessage(base, url, res), res.status);
    }
    if (allow404 && res.status === 404) return undefined;
    if (!res.ok) {
      const hint = res.status === 401 || res.status === 403 ? ' (check N8N_API_KEY)' : '';
      throw new N8nApiError(`n8n answered GET ${url.pathname} with HTTP ${res.status}${hint}`, res.status);
    }
    return res.json();
  };

  const parse = <T>(schema: z.ZodType<T>, body: unknown, what: string): T => {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new N8nApiError(`n8n sent an unexpected ${what}: ${issue?.path.join('.') || '(body)'} ${issue?.message}`);
    }
    return parsed.data;
  };

  return {
    async listExecutions(query) {
      const body = await get('/executions', {
        limit: String(N8N_PAGE_LIMIT),
        status: query.status,
        cursor: query.cursor,
        includeData: query.includeData ? 'true' : undefined,
      });
      const page = parse(executionPage, body, 'executions page');
      return { data: page.data, nextCursor: page.nextCursor ?? undefined };
    },
    async getExecution(executionId, includeData) {
      const body = await get(`/executions/${encodeURIComponent(executionId)}`, { includeData: includeData ? 'true' : undefined }, true);
      return body === undefined ? undefined : parse(n8nExecutionSchema, body, 'execution');
    },
    async listWorkflows(cursor) {
      const body = await get('/workflows', { limit: String(N8N_PAGE_LIMIT), cursor });
      const page = parse(workflowPage, body, 'workflows page');
      return {
        data: page.data.map((w) => ({ id: w.id, name: w.name, tags: (w.tags ?? []).map((t) => t.name) })),
        nextCursor: page.nextCursor ?? undefined,
      };
    },
    async listWorkflowsWithNodes(cursor) {
      const body = await get('/workflows', { limit: String(N8N_PAGE_LIMIT), excludePinnedData: 'true', cursor });
      const page = parse(workflowWithNodesPage, body, 'workflows page');
      return { data: page.data, nextCursor: page.nextCursor ?? undefined };
    },
    async getWorkflow(workflowId) {
      const body = await get(`/workflows/${encodeURIComponent(workflowId)}`, {}, true);
      return body === undefined ? undefined : parse(n8nWorkflowSchema, body, 'workflow');
    },
  };
}

/**
 * n8n never redirects its API; a redirect means N8N_BASE_URL points at a proxy, an old address or
 * the wrong scheme. The message names where it pointed and, when it can tell, the base URL to set.
 */
function redirectMessage(base: string, asked: URL, res: Response): string {
  const location = res.headers.get('location');
  let target: URL | undefined;
  try {
    target = location ? new URL(location, asked) : undefined;
  } catch {
    target = undefined;
  }
  const where = target
    ? redactString(target.href)
    : location
      ? `"${redactString(location.slice(0, 200))}"`
      : 'nowhere (no Location header)';
  // The same API path under another address: that address (without the path) is the base to use.
  const suffix = asked.pathname.slice(new URL(base).pathname.replace(/\/+$/, '').length);
  const suggested =
    target && target.pathname.endsWith(suffix)
      ? `${target.origin}${target.pathname.slice(0, target.pathname.length - suffix.length)}`
      : undefined;
  return (
    `n8n at ${base} answered GET ${asked.pathname} with a redirect (HTTP ${res.status}) to ${where}; ` +
    `the monitor does not follow redirects with the API key. Set N8N_BASE_URL to the address n8n's API answers on` +
    (suggested && suggested !== base ? ` (${redactString(suggested)}?)` : '')
  );
}
