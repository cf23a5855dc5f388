/**
 * Which handoff an n8n workflow carries, from the contract's `workflows:` lists (workflow ids or tag
 * names, docs/architecture.md). Pure. A workflow listed under two handoffs counts for the first one in contract
 * order, so a run is never counted twice.
 */
import type { Contract } from '../contract/schema';

export type HandoffResolver = (workflowId: string) => string | undefined;

export function buildResolver(contract: Contract, workflowTags: ReadonlyMap<string, readonly string[]>): HandoffResolver {
  const byWorkflow = new Map<string, string>();
  const byTag = new Map<string, string>();
  for (const h of contract.handoffs) {
    for (const ref of h.workflows) {
      if (!byWorkflow.has(ref)) byWorkflow.set(ref, h.id);
      // Tags are matched case-insensitively: n8n's tag names are typed by people.
      const tag = ref.toLowerCase();
      if (!byTag.has(tag)) byTag.set(tag, h.id);
    }
  }
  const cache = new Map<string, string | undefined>();
  return (workflowId) => {
    if (cache.has(workflowId)) return cache.get(workflowId);
    let handoff = byWorkflow.get(workflowId);
    if (!handoff) {
      for (const tag of workflowTags.get(workflowId) ?? []) {
        handoff = byTag.get(tag.toLowerCase());
        if (handoff) break;
      }
    }
    cache.set(workflowId, handoff);
    return handoff;
  };
}

/** Whether any handoff names workflows by tag: only then is GET /workflows worth a call. */
export function usesTags(contract: Contract, knownWorkflowIds: ReadonlySet<string>): boolean {
  return contract.handoffs.some((h) => h.workflows.some((ref) => !knownWorkflowIds.has(ref)));
}
