/**
 * The audit: every workflow's JSON and the contract in, the sync graph and its gaps out. Pure (no
 * I/O, no clock but the one passed in), so the CLI, the dashboard and the tests run the same code.
 *
 * Exported API (stable):
 *   runAudit(workflows: AuditWorkflow[], contract, opts?: { now?, contractLoaded?, n8nBaseUrl? }) → AuditReport
 */
import { buildResolver } from '../collector/mapping';
import type { Contract } from '../contract/schema';
import { deletes, describeNodes, webhookPath, type WebhookIndex } from './actions';
import { contractFindings } from './contract-check';
import { buildGraph } from './graph';
import { checkSafeguards } from './safeguards';
import { createSystemRegistry } from './systems';
import {
  SEVERITIES,
  SEVERITY_RANK,
  type AuditReport,
  type AuditWorkflow,
  type DiscoveredEdge,
  type Finding,
  type WorkflowAudit,
  type WorkflowRole,
} from './types';

export interface AuditOptions {
  now?: number;
  /** Whether a contract file was loaded (without one, handoff ids cannot be unknown). */
  contractLoaded?: boolean;
  n8nBaseUrl?: string;
}

export function runAudit(all: AuditWorkflow[], contract: Contract, opts: AuditOptions = {}): AuditReport {
  const contractLoaded = opts.contractLoaded ?? (contract.handoffs.length > 0 || Object.keys(contract.systems).length > 0);
  const archived = all.filter((w) => w.archived);
  const active = all.filter((w) => !w.archived);
  const systems = createSystemRegistry(contract);
  const resolver = buildResolver(contract, new Map(active.map((w) => [w.id, w.tags])));
  const byId = new Map(active.map((w) => [w.id, w]));

  const webhooks: WebhookIndex = new Map();
  for (const w of active) {
    for (const n of w.nodes) {
      const p = n.disabled ? undefined : webhookPath(n);
      if (p && !webhooks.has(p)) webhooks.set(p, { workflowId: w.id, workflow: w.name });
    }
  }

  const prepared = active.map((wf) => {
    const g = buildGraph(wf);
    const facts = describeNodes(wf, g, systems, webhooks);
    return { wf, g, facts };
  });
  // Handoffs whose records some workflow reconciles with QA Verify (Reconcile mode): a QA of their writes.
  const reconciled = new Set<string>();
  for (const { facts } of prepared) for (const x of facts.guards) if (x.role === 'qa-reconcile' && x.handoff) reconciled.add(x.handoff);

  const audits: WorkflowAudit[] = prepared.map(({ wf, g, facts }) => {
    const writes = facts.actions.filter((a) => a.access === 'write' && !a.invokes);
    const records = writes.filter((a) => a.effect === 'record');
    const reads = facts.actions.filter((a) => a.access === 'read' && !a.invokes);
    const role: WorkflowRole = facts.triggers.some((t) => t.kind === 'error')
      ? 'error-handler'
      : records.some((a) => !deletes(a))
        ? 'handoff'
        : records.length
          ? 'cleanup'
          : reads.length
            ? 'read-only'
            : writes.length
              ? 'notification'
              : 'internal';
    const contractHandoff = resolver(wf.id);
    const ewId = typeof wf.settings?.errorWorkflow === 'string' && wf.settings.errorWorkflow ? wf.settings.errorWorkflow : undefined;
    const ewTarget = ewId ? byId.get(ewId) : undefined;
    const errorWorkflow = ewId
      ? { id: ewId, name: ewTarget?.name, exists: Boolean(ewTarget), published: Boolean(ewTarget?.published) }
      : undefined;
    const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => Boolean(x)))];
    const targets = uniq(records.map((a) => a.system));
    const readSystems = uniq([...facts.triggers.map((t) => t.system), ...reads.map((a) => a.system)]);
    const handoffsNamed = uniq(facts.guards.map((x) => x.handoff));

    let findings: Finding[] = [];
    let safeguards: WorkflowAudit['safeguards'] = {
      claim: 'n/a',
      complete: 'n/a',
      retries: 'n/a',
      qa: 'n/a',
      exceptionPath: 'n/a',
      contract: contractHandoff,
    };
    if (role === 'handoff') {
      const checked = checkSafeguards({ wf, g, facts, systems, contractHandoff, reconciled, errorWorkflow });
      findings = checked.findings;
      safeguards = checked.safeguards;
    }
    for (const u of facts.unresolved) {
      const action = facts.actions.find((a) => a.node === u.node);
      const write = action?.access === 'write';
      findings.push({
        severity: write && action?.effect === 'record' ? 'medium' : 'low',
        rule: 'unresolved-url',
        workflowId: wf.id,
        workflow: wf.name,
        node: u.node,
        why: `The URL of '${u.node}' is an expression the audit cannot resolve (${u.url}), so which system it ${write ? 'writes to' : 'calls'} is unknown and cannot be checked against the contract.`,
        fix: "Keep base URLs in a Set node (like the templates' Config) or write the host literally: the audit resolves both.",
      });
    }
    return {
      id: wf.id,
      name: wf.name,
      published: wf.published,
      version: wf.version ?? (wf.published ? 'published' : 'draft'),
      role,
      triggers: facts.triggers,
      reads: readSystems,
      writes: uniq(writes.map((a) => a.system)),
      targets,
      source: role === 'handoff' ? sourceOf(facts, records, g, systems) : undefined,
      actions: facts.actions,
      unresolved: facts.unresolved,
      guards: facts.guards.map((x) => ({ node: x.node, role: x.role, ...(x.handoff ? { handoff: x.handoff } : {}) })),
      handoffsNamed,
      safeguards,
      ...(errorWorkflow ? { errorWorkflow } : {}),
      findings,
    };
  });

  const contractLevel = contractFindings(contract, contractLoaded, active, archived, audits, systems);
  for (const f of contractLevel) {
    const owner = f.workflowId ? audits.find((a) => a.id === f.workflowId) : undefined;
    if (owner) owner.findings.push(f);
  }
  for (const a of audits) a.findings.sort(bySeverity);
  const findings = [...audits.flatMap((a) => a.findings), ...contractLevel.filter((f) => !f.workflowId)].sort(bySeverity);

  // What the map draws apart: handoffs n8n runs that the contract does not hold.
  const edges: DiscoveredEdge[] = [];
  const mapId = (id: string) => systems.get(id)?.contractId ?? id;
  for (const a of audits) {
    if (a.role !== 'handoff') continue;
    const h = a.safeguards.contract ? contract.handoffs.find((x) => x.id === a.safeguards.contract) : undefined;
    const from = h ? h.source : a.source ? mapId(a.source) : undefined;
    if (!from) continue;
    for (const t of a.targets) {
      const to = mapId(t);
      if (h && (h.targets.includes(to) || to === h.source)) continue;
      if (!edges.some((e) => e.workflowId === a.id && e.from === from && e.to === to))
        edges.push({ workflowId: a.id, workflow: a.name, from, to });
    }
  }
  const discoveredSystems = [...new Set(edges.flatMap((e) => [e.from, e.to]))].filter((id) => !contract.systems[id]).sort();

  const counts = {
    workflows: active.length,
    archived: archived.length,
    handoffs: audits.filter((a) => a.role === 'handoff').length,
    guarded: audits.filter((a) => a.role === 'handoff' && !a.findings.some((f) => f.severity !== 'low')).length,
    findings: Object.fromEntries(
      SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length]),
    ) as AuditReport['counts']['findings'],
  };
  return {
    generatedAt: new Date(opts.now ?? Date.now()).toISOString(),
    ...(opts.n8nBaseUrl ? { n8nBaseUrl: opts.n8nBaseUrl } : {}),
    counts,
    workflows: audits,
    systems: systems.all().sort((x, y) => x.id.localeCompare(y.id)),
    findings,
    discovered: { systems: discoveredSystems, edges },
    contractLoaded,
  };
}

function bySeverity(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    (a.workflow ?? '').localeCompare(b.workflow ?? '') ||
    (a.node ?? '').localeCompare(b.node ?? '') ||
    a.rule.localeCompare(b.rule) ||
    (a.handoff ?? '').localeCompare(b.handoff ?? '')
  );
}

/** Where the handoff's object comes from: the trigger's system, else the first system read before a write, else n8n itself. */
function sourceOf(
  facts: ReturnType<typeof describeNodes>,
  records: { node: string; system?: string }[],
  g: ReturnType<typeof buildGraph>,
  systems: ReturnType<typeof createSystemRegistry>,
): string | undefined {
  const fromTrigger = facts.triggers.find((t) => t.system)?.system;
  if (fromTrigger) return fromTrigger;
  const writeNodes = new Set(records.map((r) => r.node));
  for (const a of facts.actions) {
    if (a.access !== 'read' || !a.system || a.invokes) continue;
    const downstream = g.reach([a.node]);
    if ([...writeNodes].some((n) => downstream.has(n)) && !writeNodes.has(a.node)) return a.system;
  }
  return systems.n8n().id;
}
