/**
 * The contract against what n8n holds: a handoff whose workflows no longer exist, a target none of
 * its workflows writes to, a write to a system the handoff does not list, a Handoff Guard node
 * naming a handoff the contract lacks, and a workflow that writes records with no handoff naming it.
 * Pure.
 */
import type { Contract } from '../contract/schema';
import type { SystemRegistry } from './systems';
import type { AuditWorkflow, Finding, WorkflowAudit } from './types';

export function contractFindings(
  contract: Contract,
  loaded: boolean,
  active: AuditWorkflow[],
  archived: AuditWorkflow[],
  audits: WorkflowAudit[],
  systems: SystemRegistry,
): Finding[] {
  const findings: Finding[] = [];
  const ids = new Set(active.map((w) => w.id));
  const tags = new Set(active.flatMap((w) => w.tags.map((t) => t.toLowerCase())));
  const archivedRefs = new Set([...archived.map((w) => w.id), ...archived.flatMap((w) => w.tags.map((t) => t.toLowerCase()))]);
  const name = (id: string) => systems.get(id)?.name ?? contract.systems[id]?.name ?? id;

  for (const h of contract.handoffs) {
    if (h.workflows.length === 0) {
      findings.push({
        severity: 'low',
        rule: 'contract-no-workflows',
        handoff: h.id,
        why: `The contract's handoff '${h.id}' names no workflow, so the monitor cannot tie any n8n run to it.`,
        fix: `List its workflows under '${h.id}'.workflows, by id or tag.`,
      });
    }
    for (const ref of h.workflows) {
      if (ids.has(ref) || tags.has(ref.toLowerCase())) continue;
      const gone =
        archivedRefs.has(ref) || archivedRefs.has(ref.toLowerCase()) ? 'is archived' : 'no longer exists (deleted, or the tag is gone)';
      findings.push({
        severity: 'high',
        rule: 'contract-workflow-missing',
        handoff: h.id,
        why: `The contract's handoff '${h.id}' runs in workflow '${ref}', which ${gone} in n8n: its runs are not collected and its failures reach nobody.`,
        fix: `Update '${h.id}'.workflows to the workflow's current id or tag, or remove the handoff.`,
      });
    }
    // Targets against what its workflows write (only when every write's system is known).
    const mine = audits.filter((a) => a.safeguards.contract === h.id);
    if (mine.length === 0) continue;
    const written = new Set(mine.flatMap((a) => a.targets.map((t) => systems.get(t)?.contractId ?? t)));
    const blind = mine.some((a) => a.actions.some((x) => x.access === 'write' && x.effect === 'record' && x.unresolved));
    if (!blind) {
      for (const t of h.targets) {
        if (written.has(t)) continue;
        findings.push({
          severity: 'medium',
          rule: 'contract-target-unwritten',
          handoff: h.id,
          workflowId: mine[0].id,
          workflow: mine[0].name,
          why: `The contract says '${h.id}' writes to ${name(t)}, but none of its workflows does: the map, the QA signal and the owner's picture describe a step that no longer runs.`,
          fix: `Remove ${t} from '${h.id}'.targets, or restore the step that writes there.`,
        });
      }
    }
    for (const a of mine) {
      const seen = new Set<string>();
      for (const x of a.actions) {
        if (x.access !== 'write' || x.effect !== 'record' || !x.system || x.invokes) continue;
        const cid = systems.get(x.system)?.contractId;
        if ((cid && (h.targets.includes(cid) || cid === h.source)) || seen.has(x.system)) continue;
        seen.add(x.system);
        findings.push({
          severity: 'low',
          rule: 'uncontracted-target',
          handoff: h.id,
          workflowId: a.id,
          workflow: a.name,
          node: x.node,
          why: `'${x.node}' writes to ${name(x.system)}, which handoff '${h.id}' does not list as a target: failures there are missing from the map and the owner's picture.`,
          fix: cid ? `Add ${cid} to '${h.id}'.targets.` : `Add ${x.system} to the contract's systems and to '${h.id}'.targets.`,
        });
      }
    }
  }

  for (const a of audits) {
    if (loaded) {
      for (const h of a.handoffsNamed) {
        if (contract.handoffs.some((x) => x.id === h)) continue;
        const node = a.guards.find((g) => g.handoff === h)?.node;
        findings.push({
          severity: 'high',
          rule: 'unknown-handoff',
          workflowId: a.id,
          workflow: a.name,
          node,
          handoff: h,
          why: `'${node ?? 'A Handoff Guard node'}' names handoff '${h}', which the contract does not have: the monitor answers 404 unknown_handoff and the node fails every run.`,
          fix: `Pick a handoff id from handoffs.yaml, or add '${h}' to it.`,
        });
      }
    }
    if (a.role !== 'handoff' || a.safeguards.contract) continue;
    const named = a.handoffsNamed.find((h) => contract.handoffs.some((x) => x.id === h));
    if (named) {
      findings.push({
        severity: 'low',
        rule: 'not-collected',
        workflowId: a.id,
        workflow: a.name,
        handoff: named,
        why: `Its Handoff Guard nodes report to handoff '${named}', but the contract does not list this workflow, so the monitor does not collect its failed runs.`,
        fix: `Add the workflow's id (${a.id}) or one of its tags to '${named}'.workflows.`,
      });
    } else {
      findings.push({
        severity: 'medium',
        rule: 'not-in-contract',
        workflowId: a.id,
        workflow: a.name,
        why: 'No handoff in the contract names this workflow: its failures have no owner and no SLA, and the monitor does not collect its runs.',
        fix: 'Add it to handoffs.yaml: handoff-monitor audit --draft-contract FILE writes the entry, with owner and SLAs to fill in.',
      });
    }
  }
  return findings;
}
