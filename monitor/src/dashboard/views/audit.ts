/**
 * The audit page (read-only): every n8n workflow's systems, safeguards and findings, most severe
 * first, the systems, and the draft contract for what is uncovered — the same audit as
 * `handoff-monitor audit`. Also what the map draws apart (mapAuditOf).
 */
import type { AuditSnapshot } from '../../audit/source';
import { safeguardLine, summaryLine, writesLine } from '../../audit/format';
import { SEVERITY_RANK, type AuditReport, type Severity } from '../../audit/types';
import { html, type Html } from '../html';
import type { MapAudit } from './map';

const when = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');

export function auditView(snapshot: AuditSnapshot | undefined, opts: { n8nBaseUrl?: string } = {}): Html {
  const head = html`<h1>Audit</h1>
<p class="lead">Every workflow in n8n${opts.n8nBaseUrl ? html` (<span class="muted">${opts.n8nBaseUrl}</span>)` : ''}, read through its public API: the systems it reads and writes, its safeguards (Gate claim and complete, safe retries, QA, exception path, contract) and the gaps, most severe first. The same audit as <code>handoff-monitor audit</code>.</p>`;
  if (!snapshot) {
    return html`${head}<p class="empty" data-audit-state="off">The audit reads n8n's workflows through its public API: start the monitor with N8N_BASE_URL and N8N_API_KEY to see it here, or run <code>handoff-monitor audit</code> with them.</p>`;
  }
  if (!snapshot.ok) {
    return snapshot.pending
      ? html`${head}<p class="empty" data-audit-state="pending">The audit is still reading n8n; reload in a moment.</p>`
      : html`${head}<p class="flash bad" data-audit-state="error">The audit could not read n8n: ${snapshot.error}</p>`;
  }
  const r = snapshot.report;
  const name = (id: string) => r.systems.find((s) => s.id === id)?.name ?? id;
  const card = (value: number, label: string, cls = '') =>
    html`<div class="card ${cls}"><div class="big">${value}</div><div class="label">${label}</div></div>`;
  const uncovered = r.workflows.filter((w) => w.role === 'handoff' && !w.safeguards.contract).length;
  return html`${head}
<p class="muted" data-audit-state="ok">Read ${when(snapshot.at)}; read again after a minute or when the contract changes. ${summaryLine(r)}.</p>
<div class="cards">
${card(r.counts.workflows, `workflows${r.counts.archived ? ` (${r.counts.archived} archived, skipped)` : ''}`)}
${card(r.counts.handoffs, 'handoffs (write records)')}
${card(r.counts.guarded, 'guarded (nothing above low)')}
${card(r.counts.findings.high, 'high')}
${card(r.counts.findings.medium, 'medium')}
${card(r.counts.findings.low, 'low')}
</div>
${r.contractLoaded ? '' : html`<p class="flash bad">No contract is loaded (HANDOFF_CONTRACTS): nothing is owned, and systems are named by host.</p>`}
<h2>Findings</h2>
${
  r.findings.length
    ? html`<table class="findings">
<thead><tr><th>severity</th><th>workflow</th><th>node</th><th>why it matters</th><th>fix</th></tr></thead>
<tbody>${r.findings.map(
        (f) => html`<tr data-finding data-severity="${f.severity}" data-rule="${f.rule}" data-workflow="${f.workflowId ?? ''}">
<td><span class="sev ${f.severity}">${f.severity}</span></td>
<td>${f.workflowId ? html`<a href="#wf-${encodeURIComponent(f.workflowId)}">${f.workflow ?? f.workflowId}</a>` : html`contract${f.handoff ? html`: <code>${f.handoff}</code>` : ''}`}</td>
<td>${f.node ?? ''}</td>
<td>${f.why}</td>
<td>${f.fix}</td>
</tr>`,
      )}</tbody>
</table>`
    : html`<p class="empty">No findings: every handoff n8n runs is guarded and in the contract.</p>`
}
<h2>Workflows</h2>
<table class="workflows">
<thead><tr><th>workflow</th><th>role</th><th>trigger</th><th>reads</th><th>writes</th><th>safeguards</th><th>contract</th></tr></thead>
<tbody>${r.workflows.map(
    (w) => html`<tr id="wf-${w.id}" data-workflow="${w.id}" data-role="${w.role}">
<td><strong>${w.name}</strong><br><small class="muted">${w.id} · ${w.published ? 'published' : 'not published'}${w.findings.length ? ` · ${w.findings.length} finding${w.findings.length === 1 ? '' : 's'}` : ''}</small></td>
<td>${w.role}</td>
<td>${w.triggers.map((t) => t.label).join('; ') || 'none'}</td>
<td>${w.reads.map(name).join(', ') || '—'}</td>
<td>${writesLine(r, w)}${w.unresolved.length ? html`<ul class="reasons">${w.unresolved.map((u) => html`<li>unresolved URL in <strong>${u.node}</strong>: <code>${u.url}</code></li>`)}</ul>` : ''}</td>
<td>${w.role === 'handoff' ? safeguardLine(w) : '—'}</td>
<td>${w.safeguards.contract ? html`<code>${w.safeguards.contract}</code>` : w.role === 'handoff' ? html`<span class="sev high">none</span>` : '—'}</td>
</tr>${
      w.findings.length
        ? html`<tr class="findings-of" data-findings-of="${w.id}"><td colspan="7"><ul class="reasons">${w.findings.map(
            (f) =>
              html`<li><span class="sev ${f.severity}">${f.severity}</span> ${f.node ? html`<strong>${f.node}</strong>: ` : ''}${f.why} <em>Fix:</em> ${f.fix}</li>`,
          )}</ul></td></tr>`
        : ''
    }`,
  )}</tbody>
</table>
<h2>Systems</h2>
<table class="systems">
<thead><tr><th>system</th><th>kind</th><th>in the contract</th><th>used by</th></tr></thead>
<tbody>${r.systems.map((s) => {
    const users = r.workflows.filter((w) => w.reads.includes(s.id) || w.writes.includes(s.id));
    return html`<tr id="system-${s.id}" data-system="${s.id}" data-in-contract="${s.contractId ? 'yes' : 'no'}">
<td><strong>${s.name}</strong> <small class="muted">${s.id}${s.hosts.length ? ` · ${s.hosts.join(', ')}` : ''}</small></td>
<td>${s.kind}</td>
<td>${s.contractId ? 'yes' : 'no'}</td>
<td>${users.map((w, i) => html`${i ? ', ' : ''}<a href="#wf-${encodeURIComponent(w.id)}">${w.name}</a>`)}</td>
</tr>`;
  })}</tbody>
</table>
<h2>Draft contract</h2>
<p class="muted">${
    uncovered
      ? `Entries for the ${uncovered} workflow(s) that write records and that no handoff names. Owner and SLAs are left for a person: handoff-monitor check rejects them until filled in. handoff-monitor audit --draft-contract FILE writes the same.`
      : 'Every workflow that writes records is in the contract: nothing to draft.'
  }</p>
<pre data-draft>${snapshot.draft}</pre>`;
}

/** What the map draws apart, or the one sentence that says why it draws nothing extra. */
export function mapAuditOf(snapshot: AuditSnapshot | undefined): MapAudit | undefined {
  if (!snapshot) return undefined;
  if (!snapshot.ok) {
    return {
      note: snapshot.pending
        ? 'The audit is still reading n8n: reload in a moment to see what it finds beside the contract.'
        : `The audit could not read n8n (${snapshot.error}): only the contract is drawn.`,
    };
  }
  const r: AuditReport = snapshot.report;
  if (r.discovered.edges.length === 0) return { note: 'The audit found no handoff in n8n that the contract lacks.' };
  const worst = (workflowId: string): Severity | undefined =>
    r.workflows
      .find((w) => w.id === workflowId)
      ?.findings.map((f) => f.severity)
      .sort((a, b) => SEVERITY_RANK[b] - SEVERITY_RANK[a])[0];
  return {
    discovered: {
      systems: r.discovered.systems.map((id) => {
        const s = r.systems.find((x) => x.id === id);
        return { id, name: s?.name ?? id, kind: s?.kind ?? 'other' };
      }),
      edges: r.discovered.edges.map((e) => ({
        ...e,
        findings: r.workflows.find((w) => w.id === e.workflowId)?.findings.length ?? 0,
        ...(worst(e.workflowId) ? { severity: worst(e.workflowId) } : {}),
      })),
    },
  };
}
