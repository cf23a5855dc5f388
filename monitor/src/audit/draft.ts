/**
 * `--draft-contract FILE`: handoffs.yaml entries for the workflows that write records and that no
 * handoff names — systems, source, targets, trigger and workflow ids filled in from the audit; the
 * owner and the SLAs, which only a person can decide, left as placeholders that the contract's own
 * validation (`handoff-monitor check`) rejects until they are filled in: an empty owner name
 * ("needs a name") and `FILL-IN` durations ("is not a duration"). Pure: report in, YAML text out.
 */
import type { Contract } from '../contract/schema';
import type { AuditReport, AuditSystem } from './types';

export const PLACEHOLDER = 'FILL-IN';

const q = (s: string) => JSON.stringify(s);
const ID = /^[a-z0-9][a-z0-9._-]{0,99}$/i;

function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return s || 'handoff';
}

export function draftContract(report: AuditReport, contract: Contract): string {
  const uncovered = report.workflows.filter((w) => w.role === 'handoff' && !w.safeguards.contract);
  const systemsById = new Map(report.systems.map((s) => [s.id, s]));
  const taken = new Set(contract.handoffs.map((h) => h.id));
  const lines = [
    `# Draft handoff contract, written by \`handoff-monitor audit --draft-contract\` at ${report.generatedAt}`,
    `# for the ${uncovered.length} workflow(s) that write records and that no handoff in the contract names.`,
    `# Owner and SLAs are left for a person to decide: \`handoff-monitor check\` rejects this file until`,
    `# every owner has a name and every ${PLACEHOLDER} is a duration (e.g. 15m, 48h). Then merge it into`,
    '# handoffs.yaml (systems the contract already has are repeated here unchanged).',
  ];
  if (uncovered.length === 0) {
    lines.push('# Nothing to draft: every workflow that writes records is in the contract.', 'systems: {}', 'handoffs: []');
    return `${lines.join('\n')}\n`;
  }

  const idOf = (s: string) => systemsById.get(s)?.contractId ?? s;
  const byMapId = new Map<string, AuditSystem>(report.systems.map((s) => [s.contractId ?? s.id, s]));
  const used = new Set<string>();
  const entries: string[] = [];
  for (const w of uncovered) {
    const source = w.source ? idOf(w.source) : 'n8n';
    const targets = [...new Set(w.targets.map(idOf))];
    const messages = [
      ...new Set(w.actions.filter((a) => a.access === 'write' && a.effect === 'message' && a.system).map((a) => idOf(a.system!))),
    ];
    for (const s of [source, ...targets]) used.add(s);
    let id = slug(w.name);
    for (let n = 2; taken.has(id) || !ID.test(id); n++) id = `${slug(w.name).slice(0, 90)}-${n}`;
    taken.add(id);
    const trigger = w.triggers.map((t) => t.label).join('; ') || 'no trigger';
    const counts = (['high', 'medium', 'low'] as const)
      .map((s) => [s, w.findings.filter((f) => f.severity === s).length] as const)
      .filter(([, n]) => n > 0);
    entries.push(
      `  - id: ${id}   # from n8n workflow ${q(w.name)} (id ${w.id})`,
      `    name: ${q(w.name)}`,
      `    trigger: ${q(trigger)}`,
      `    source: ${source}`,
      `    targets: [${targets.join(', ')}]`,
      `    workflows: [${q(w.id)}]`,
      `    owner: { name: "" }      # ${PLACEHOLDER}: who answers for this handoff's failures (name, and channel or email)`,
      `    completionSla: ${PLACEHOLDER}   # ${PLACEHOLDER}: longest time from claim to completion, e.g. 15m`,
      `    exceptionSla: ${PLACEHOLDER}    # ${PLACEHOLDER}: incident open → resolved before it is escalated, e.g. 48h`,
      ...(messages.length ? [`    # also posts messages to: ${messages.join(', ')}`] : []),
      ...(counts.length ? [`    # the audit found ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}: see handoff-monitor audit`] : []),
    );
  }

  const systemLines = [...used].sort().map((id) => {
    const c = contract.systems[id];
    if (c) return `  ${id}: { name: ${q(c.name)}, kind: ${q(c.kind)}${c.url ? `, url: ${q(c.url)}` : ''} }`;
    const s = byMapId.get(id);
    const hosts = s?.hosts.length ? `   # seen at ${s.hosts.join(', ')}` : '';
    return `  ${id}: { name: ${q(s?.name ?? id)}, kind: ${q(s?.kind ?? 'other')} }${hosts}`;
  });
  lines.push('systems:', ...systemLines, '', 'handoffs:', ...entries);
  return `${lines.join('\n')}\n`;
}
