/**
 * The audit as text (a terminal, a CI log), Markdown (a ticket, a pull request) or JSON (scripts).
 * Findings come first, most severe first, each with workflow, node, why and fix; then each
 * workflow's systems and safeguards; then the systems. Pure.
 */
import type { AuditReport, Finding, WorkflowAudit } from './types';

export const AUDIT_FORMATS = ['text', 'markdown', 'json'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function summaryLine(r: AuditReport): string {
  const f = r.counts.findings;
  return (
    `${plural(r.counts.workflows, 'workflow')} read${r.counts.archived ? ` (${r.counts.archived} archived, skipped)` : ''}, ` +
    `${plural(r.counts.handoffs, 'handoff')} (${r.counts.guarded} guarded); ` +
    `findings: ${f.high} high, ${f.medium} medium, ${f.low} low`
  );
}

const where = (f: Finding) =>
  [
    f.workflow ? `${f.workflow}${f.workflowId ? ` (${f.workflowId})` : ''}` : f.handoff ? `contract: handoff ${f.handoff}` : 'contract',
    f.node ? `› ${f.node}` : '',
  ]
    .filter(Boolean)
    .join(' ');

function systemName(r: AuditReport, id: string): string {
  const s = r.systems.find((x) => x.id === id);
  return s ? s.name : id;
}

export function safeguardLine(w: WorkflowAudit): string {
  const s = w.safeguards;
  return `claim ${s.claim} · complete ${s.complete} · retries ${s.retries} · QA ${s.qa} · exception path ${s.exceptionPath}`;
}

export function writesLine(r: AuditReport, w: WorkflowAudit): string {
  const records = new Set(w.targets);
  const messages = [...new Set(w.actions.filter((a) => a.access === 'write' && a.effect === 'message' && a.system).map((a) => a.system!))];
  const parts = [...[...records].map((id) => systemName(r, id)), ...messages.map((id) => `${systemName(r, id)} (messages)`)];
  const invoked = [...new Set(w.actions.filter((a) => a.invokes).map((a) => a.operation.replace(/^\w+ → /, '')))];
  const unknown = w.actions.filter((a) => a.access === 'write' && a.unresolved).map((a) => `unknown (${a.unresolved})`);
  return [...parts, ...unknown, ...invoked.map((x) => `calls ${x}`)].join(', ') || '—';
}

export function formatText(r: AuditReport): string {
  const lines = [`Handoff audit — ${r.generatedAt}${r.n8nBaseUrl ? ` — ${r.n8nBaseUrl}` : ''}`, summaryLine(r), ''];
  if (!r.contractLoaded) lines.push('No contract loaded (HANDOFF_CONTRACTS): nothing is owned, and systems are named by host.', '');
  lines.push(r.findings.length ? 'Findings, most severe first' : 'No findings.');
  for (const f of r.findings) {
    lines.push(`  ${f.severity.toUpperCase().padEnd(6)} ${where(f)}  [${f.rule}]`, `         ${f.why}`, `         Fix: ${f.fix}`);
  }
  lines.push('', 'Workflows');
  for (const w of r.workflows) {
    lines.push(
      `  ${w.name} (${w.id}, ${w.published ? 'published' : 'not published'}) — ${w.role}${w.safeguards.contract ? `, contract: ${w.safeguards.contract}` : ''}`,
    );
    lines.push(`    trigger   ${w.triggers.map((t) => t.label).join('; ') || 'none'}`);
    lines.push(`    reads     ${w.reads.map((id) => systemName(r, id)).join(', ') || '—'}`);
    lines.push(`    writes    ${writesLine(r, w)}`);
    if (w.role === 'handoff') lines.push(`    guards    ${safeguardLine(w)}`);
    for (const u of w.unresolved) lines.push(`    unresolved URL  ${u.node}: ${u.url}`);
  }
  lines.push('', 'Systems');
  for (const s of r.systems) {
    lines.push(
      `  ${s.id.padEnd(24)} ${s.name} (${s.kind}) — ${s.contractId ? 'in the contract' : 'not in the contract'}${s.hosts.length ? `; ${s.hosts.join(', ')}` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Characters Markdown would read as markup. */
const md = (text: string) => text.replace(/[\\`*_{}[\]()#+!|<>~]/g, (c) => `\\${c}`);

export function formatMarkdown(r: AuditReport): string {
  const lines = [
    '# Handoff audit',
    '',
    `_${md(r.generatedAt)}${r.n8nBaseUrl ? ` · ${md(r.n8nBaseUrl)}` : ''}_`,
    '',
    md(summaryLine(r)),
    '',
  ];
  if (!r.contractLoaded) lines.push('> No contract loaded: nothing is owned, and systems are named by host.', '');
  lines.push('## Findings', '');
  if (r.findings.length === 0) lines.push('None.', '');
  else {
    lines.push('| severity | workflow | node | why | fix |', '|---|---|---|---|---|');
    for (const f of r.findings) {
      lines.push(
        `| ${f.severity} | ${md(f.workflow ?? (f.handoff ? `contract: ${f.handoff}` : 'contract'))} | ${md(f.node ?? '')} | ${md(f.why)} | ${md(f.fix)} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Workflows', '', '| workflow | role | trigger | reads | writes | safeguards | contract |', '|---|---|---|---|---|---|---|');
  for (const w of r.workflows) {
    lines.push(
      `| ${md(w.name)} (${md(w.id)}) | ${w.role} | ${md(w.triggers.map((t) => t.label).join('; ') || 'none')} | ${md(w.reads.map((id) => systemName(r, id)).join(', ') || '—')} | ${md(writesLine(r, w))} | ${w.role === 'handoff' ? md(safeguardLine(w)) : '—'} | ${md(w.safeguards.contract ?? '—')} |`,
    );
  }
  lines.push('', '## Systems', '', '| id | name | kind | in the contract |', '|---|---|---|---|');
  for (const s of r.systems) lines.push(`| ${md(s.id)} | ${md(s.name)} | ${md(s.kind)} | ${s.contractId ? 'yes' : 'no'} |`);
  return `${lines.join('\n')}\n`;
}

export function formatAudit(r: AuditReport, format: AuditFormat): string {
  if (format === 'json') return `${JSON.stringify(r, null, 2)}\n`;
  if (format === 'markdown') return formatMarkdown(r);
  return formatText(r);
}
