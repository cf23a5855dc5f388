/**
 * Names the node a failed run stopped at, from its execution data (includeData=true):
 * `data.resultData.error` / `lastNodeExecuted`, else the first run of a node whose status is error
 * (docs/n8n-facts.md). Pure, and tolerant: an unexpected shape names nothing rather than throwing.
 */
export interface Failure {
  node?: string;
  message?: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export function failingNode(data: unknown): Failure {
  const result = obj(obj(data)?.resultData);
  if (!result) return {};
  const error = obj(result.error);
  const fromError = str(obj(error?.node)?.name);
  let node = fromError;
  let message = str(error?.message);
  const runData = obj(result.runData) ?? {};
  if (!node || !message) {
    for (const [name, runs] of Object.entries(runData)) {
      if (!Array.isArray(runs)) continue;
      const failed = runs.map(obj).find((r) => r?.executionStatus === 'error' || r?.error);
      if (failed) {
        node ??= name;
        message ??= str(obj(failed.error)?.message);
        break;
      }
    }
  }
  node ??= str(result.lastNodeExecuted);
  const out: Failure = {};
  if (node) out.node = node;
  if (message) out.message = message.length > 2_000 ? `${message.slice(0, 1_999)}…` : message;
  return out;
}
