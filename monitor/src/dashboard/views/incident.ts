/** An incident's detail: who owns it, the SLA, the error, the context, the redacted payload sample and the n8n execution. */
import type { Incident } from '../../../../protocol/incidents';
import { redact } from '../../../../protocol/redact';
import type { OutboxAlert } from '../../domain/incident-message';
import type { Contract } from '../../contract/schema';
import { html, safeHref, type Html } from '../html';
import { actions } from './incidents';
import { replayForm } from './queue';
import type { PageContext } from './layout';
import { slaCountdown, when } from './format';

/** The n8n execution: the stored URL when it is http(s), else one built from N8N_BASE_URL. */
export function executionLink(i: Incident, n8nBaseUrl?: string): string | undefined {
  const stored = safeHref(i.execution?.url);
  if (stored) return stored;
  if (n8nBaseUrl && i.execution?.id && i.execution.workflowId) {
    return safeHref(
      `${n8nBaseUrl}/workflow/${encodeURIComponent(i.execution.workflowId)}/executions/${encodeURIComponent(i.execution.id)}`,
    );
  }
  return undefined;
}

/** Alerts of this incident the webhook refused: the owner was never told, and nothing retries them. */
function deadAlertsView(i: Incident, dead: OutboxAlert[], now: number): Html | string {
  if (!dead.length) return '';
  return html`<div class="flash bad" data-dead-alerts><strong>Not delivered:</strong> the alert webhook refused ${dead.length === 1 ? 'the alert' : `${dead.length} alerts`} for this incident, so ${i.owner.name} was not told. Nothing retries a refused alert: fix the webhook (HANDOFF_ALERT_WEBHOOK_URL, HANDOFF_ALERT_FORMAT) and tell the owner yourself.
<ul>${dead.map((a) => html`<li>${a.kind} alert, refused ${when(now, a.deadAt)}: ${a.lastError ?? 'no answer recorded'}</li>`)}</ul></div>`;
}

/**
 * Reports for the same deal under other dedup keys that joined this incident: the nightly reconcile
 * that still finds no project, a stall. Each with its kind, its workflow (linked to its run) and how often.
 */
function alsoReportedView(i: Incident, now: number, n8nBaseUrl?: string): Html | string {
  if (!i.alsoReported?.length) return '';
  return html`<dt>Also reported</dt><dd><ul class="also-reported">${i.alsoReported.map((a) => {
    const link = executionLink({ ...i, execution: a.execution }, n8nBaseUrl);
    const workflow = a.workflowName ?? a.execution?.workflowName;
    const from = workflow
      ? html` by ${link ? html`<a href="${link}" rel="noopener noreferrer" target="_blank">${workflow}</a>` : workflow}`
      : '';
    return html`<li data-also-reported="${a.dedupKey}">${a.kind ?? 'a report'}${from} · ${a.count}× · last ${when(now, Date.parse(a.lastSeenAt))} <small class="muted">${a.dedupKey}</small></li>`;
  })}</ul></dd>`;
}

export function incidentView(args: {
  incident: Incident;
  contract: Contract;
  now: number;
  ctx: PageContext;
  n8nBaseUrl?: string;
  flash?: string;
  /** Alerts of this incident the webhook refused (state dead). */
  deadAlerts?: OutboxAlert[];
}): Html {
  const { incident: i, now } = args;
  const handoff = args.contract.handoffs.find((h) => h.id === i.handoff);
  const link = executionLink(i, args.n8nBaseUrl);
  // Stored redacted already; redacting again on display costs nothing and guards older rows.
  const sample = i.context ? JSON.stringify(redact(i.context), null, 2) : undefined;
  return html`<p><a href="/incidents">← all incidents</a></p>
<h1>#${i.id} ${i.title}</h1>
<p class="lead"><span class="state ${i.state}">${i.state}</span> <span class="sev ${i.severity}">${i.severity}</span> · ${handoff?.name ?? i.handoff}</p>
${args.flash ? html`<p class="flash">${args.flash}</p>` : ''}
${deadAlertsView(i, args.deadAlerts ?? [], now)}
<p class="actions">${actions(i, args.ctx, `/incidents/${i.id}`)}${
    i.state !== 'resolved' && i.idempotencyKey
      ? replayForm(args.ctx, { handoff: i.handoff, key: i.idempotencyKey, incident: i.id }, 'Replay', `/incidents/${i.id}`, 'secondary')
      : ''
  }</p>
<dl class="facts">
  <dt>Handoff</dt><dd><a href="/#handoff-${i.handoff}">${handoff?.name ?? i.handoff}</a> <small class="muted">${i.handoff}</small></dd>
  <dt>Owner</dt><dd>${i.owner.name}${i.owner.channel ? html` <span class="muted">${i.owner.channel}</span>` : ''} <small class="muted">(from ${i.ownerSource})</small></dd>
  <dt>Exception SLA</dt><dd>${slaCountdown(now, Date.parse(i.slaDueAt), i.state === 'resolved')}</dd>
  ${i.escalatedTo ? html`<dt>Escalated</dt><dd>to ${i.escalatedTo.name} ${when(now, i.escalatedAt ? Date.parse(i.escalatedAt) : undefined)}</dd>` : ''}
  <dt>First seen</dt><dd>${when(now, Date.parse(i.firstSeenAt))}</dd>
  <dt>Last seen</dt><dd>${when(now, Date.parse(i.lastSeenAt))} · ${i.count} failure${i.count === 1 ? '' : 's'}</dd>
  ${alsoReportedView(i, now, args.n8nBaseUrl)}
  ${i.acknowledgedAt ? html`<dt>Acknowledged</dt><dd>${when(now, Date.parse(i.acknowledgedAt))}${i.acknowledgedBy ? html` by <span data-acknowledged-by>${i.acknowledgedBy}</span>` : ''}</dd>` : ''}
  ${i.resolvedAt ? html`<dt>Resolved</dt><dd>${when(now, Date.parse(i.resolvedAt))}${i.resolvedBy ? html` by <span data-resolved-by>${i.resolvedBy}</span>` : ''}${i.resolution ? html` · <span class="resolution">${i.resolution}</span>` : ''}</dd>` : ''}
  ${i.kind ? html`<dt>Kind</dt><dd>${i.kind}</dd>` : ''}
  ${i.idempotencyKey ? html`<dt>Idempotency key</dt><dd><code>${i.idempotencyKey}</code></dd>` : ''}
  <dt>n8n execution</dt><dd>${
    link
      ? html`<a href="${link}" rel="noopener noreferrer" target="_blank">${i.execution?.workflowName ?? 'workflow'} · execution ${i.execution?.id ?? ''}</a>`
      : i.execution?.id
        ? html`execution ${i.execution.id} <small class="muted">(set N8N_BASE_URL for a link)</small>`
        : html`<span class="muted">not recorded</span>`
  }</dd>
  ${handoff?.recoveryPath ? html`<dt>Recovery path</dt><dd>${handoff.recoveryPath}</dd>` : ''}
</dl>
${
  i.error
    ? html`<h2>Error</h2><dl class="facts"><dt>Message</dt><dd>${i.error.message}</dd>${i.error.node ? html`<dt>Node</dt><dd>${i.error.node}</dd>` : ''}${
        i.error.httpCode !== undefined ? html`<dt>HTTP status</dt><dd>${String(i.error.httpCode)}</dd>` : ''
      }${i.error.description ? html`<dt>Description</dt><dd>${i.error.description}</dd>` : ''}</dl>`
    : ''
}
<h2>Context and payload sample <small class="muted">(secrets redacted)</small></h2>
${sample ? html`<pre class="payload">${sample}</pre>` : html`<p class="empty">No context was sent with this incident.</p>`}`;
}
