/**
 * What a test does with an n8n through its public API — import, activate, wait for a webhook to go
 * live, page through executions, wait for runs to finish — the same for a single instance
 * (n8n.ts) and for queue mode (queue-mode.ts), which only differ in how they start.
 */
import type { Execution } from './n8n';
import { waitFor } from '../support/wait';

/** Activation registers production webhooks asynchronously: live 0.2-0.4 s after the API answers. */
const WEBHOOK_TIMEOUT_MS = 15_000;
const POLL_MS = 200;
/** What n8n's webhook route answers to a GET once a POST webhook is registered at that path. */
const WEBHOOK_LIVE_HINT = 'Did you mean to make a POST request?';
/** States in which an execution will not change any more. */
export const FINAL_STATUSES = ['success', 'error', 'crashed', 'canceled'];

type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

const stringify = (query: Record<string, string | number | boolean>) =>
  Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]));

/** `explain` adds context (log tails) to a timeout error. */
export function workflowApi(baseUrl: string, api: Api, explain: (err: Error) => Error) {
  const webhookUrl = (p: string) => `${baseUrl}/webhook/${p.replace(/^\//, '')}`;

  /** All executions matching the query (every page). Running ones only appear with status=running. */
  async function executions(query: Record<string, string | number | boolean> = {}): Promise<Execution[]> {
    const all: Execution[] = [];
    let cursor: string | undefined;
    do {
      const params = new URLSearchParams({ limit: '250', ...stringify(query), ...(cursor ? { cursor } : {}) });
      const page = await api<{ data: Execution[]; nextCursor?: string | null }>('GET', `/executions?${params}`);
      all.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }

  return {
    webhookUrl,
    executions,

    /**
     * Creates a workflow through the public API; only the fields it accepts are sent (`id`, `tags`,
     * `meta` and `active` are read-only there). Pinned data goes along: it is what the editor's
     * "Test workflow" runs on, and production runs ignore it.
     */
    async importWorkflow(json: { name: string; nodes: unknown[]; connections: unknown; settings?: unknown; pinData?: unknown }) {
      const { name, nodes, connections, settings, pinData } = json;
      return api<{ id: string; name: string }>('POST', '/workflows', {
        name,
        nodes,
        connections,
        settings: settings ?? {},
        ...(typeof pinData === 'object' && pinData !== null && Object.keys(pinData).length ? { pinData } : {}),
      });
    },
    activate: (id: string) => api<{ id: string; active: boolean }>('POST', `/workflows/${id}/activate`),
    deactivate: (id: string) => api<{ id: string; active: boolean }>('POST', `/workflows/${id}/deactivate`),
    createCredential: (name: string, type: string, data: Record<string, unknown>) =>
      api<{ id: string; name: string }>('POST', '/credentials', { name, type, data }),

    /** Polls until a production POST webhook answers at `path`. */
    async waitForWebhook(p: string, timeoutMs = WEBHOOK_TIMEOUT_MS) {
      const url = webhookUrl(p);
      let last = '';
      const live = async () => {
        const res = await fetch(url, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
        last = res ? await res.text() : '(no answer)';
        return last.includes(WEBHOOK_LIVE_HINT);
      };
      await waitFor(`webhook ${url} to be live`, live, {
        timeoutMs,
        intervalMs: POLL_MS,
        detail: () => `last answer: ${last.slice(0, 300)}`,
      }).catch((err: Error) => {
        throw explain(err);
      });
    },

    /** Polls until `count` executions of a workflow have reached a final status; returns them. */
    async waitForExecutions(workflowId: string, count: number, timeoutMs = 60_000): Promise<Execution[]> {
      let done: Execution[] = [];
      const finished = async () => {
        done = (await executions({ workflowId })).filter((e) => FINAL_STATUSES.includes(e.status));
        return done.length >= count && done;
      };
      return waitFor(`${count} executions of workflow ${workflowId} to finish`, finished, {
        timeoutMs,
        intervalMs: POLL_MS * 2,
        detail: () => `only ${done.length} of ${count} finished`,
      }).catch((err: Error) => {
        throw explain(err);
      });
    },
  };
}
