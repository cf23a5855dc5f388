/** Page 4: the Monday-morning check, six items from live data, with traced handoffs and the leadership line to copy. */
import type { MondayReport, SpotCheck } from '../../report/monday';
import { formatDuration } from '../../util/duration';
import { html, type Html } from '../html';
import { iso } from './format';

const BAD_STEPS = new Set([
  'lease_expired',
  'released',
  'invalid',
  'qa_failed',
  'request_failed',
  'incident_opened',
  'incident_repeated',
  'execution_failed',
  'reconcile_missing',
  'conflict',
  'review_rejected',
]);

function trace(s: SpotCheck): Html {
  return html`<div class="spot" data-trace="${s.key}"><strong>${s.name}</strong> · key <code>${s.key}</code>${s.attempt > 1 ? html` · attempt ${s.attempt}` : ''} · ${formatDuration(s.tookMs)} from first sighting to completion
<ol class="trace">${s.steps.map(
    (x) =>
      html`<li class="${x.kind === 'completed' ? 'completed' : BAD_STEPS.has(x.kind) ? 'bad' : ''}" title="${iso(x.at)}${x.note ? ` — ${x.note}` : ''}">${x.kind}${x.count ? html` <strong>×${x.count}</strong>` : ''}${x.note ? html` <small class="muted">${x.note}</small>` : ''}</li>`,
  )}</ol></div>`;
}

export function mondayView(r: MondayReport): Html {
  return html`<h1>Monday-morning check</h1>
<p class="lead">Ten to twenty minutes, six items, filled from live data at ${r.generatedAt.replace('T', ' ').slice(0, 16)} UTC. The same report prints with <code>handoff-monitor report monday</code>.</p>
<ol class="checklist">${r.items.map(
    (item, n) => html`<li class="${item.ok ? 'ok' : 'look'}" data-item="${item.id}">
<h3>${n + 1}. ${item.title}<span class="verdict">${item.ok ? 'ok' : 'look'}</span></h3>
${
  item.id === 'leadership'
    ? html`<div class="update"><output id="leadership-update">${r.leadershipUpdate}</output><button type="button" class="secondary" data-copy="leadership-update">Copy</button></div>`
    : item.id === 'spot_check' && r.spotChecks.length
      ? ''
      : html`<div>${item.summary}</div>`
}
${item.id === 'spot_check' ? r.spotChecks.map(trace) : item.details.length ? html`<ul class="details">${item.details.map((d) => html`<li>${d}</li>`)}</ul>` : ''}
</li>`,
  )}</ol>`;
}
