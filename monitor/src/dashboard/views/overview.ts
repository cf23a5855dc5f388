/** Page 1: every handoff red / amber / green with its failed sync rate, trend, detection, recovery, last success and stalls. */
import { html, type Html } from '../html';
import type { HandoffRow, Overview, Rate, RunRate } from '../../report/overview';
import { percent, seconds, when } from './format';
import { pendingReviewsView } from './reviews';
import { sparkline } from './sparkline';

const rateCell = (r: Rate, runs: RunRate) =>
  r.basis === 'runs'
    ? html`<td class="num" data-basis="runs" title="This handoff reports no keys (no Handoff Guard node): each n8n run counts as one handoff. ${runs.failed} of ${runs.runs} runs ended in error.">${percent(r.ratio)}<br><small class="muted">${r.failed}/${r.seen} runs</small></td>`
    : html`<td class="num" title="${r.failed} of ${r.seen} handoffs failed; n8n: ${runs.failed} of ${runs.runs} runs ended in error">${percent(r.ratio)}<br><small class="muted">${r.failed}/${r.seen}</small></td>`;

function row(r: HandoffRow, now: number): Html {
  return html`<tr id="handoff-${r.id}" data-handoff="${r.id}" data-health="${r.health.level}">
<td><span class="pill ${r.health.level}">${r.health.level}</span></td>
<td class="handoff"><strong>${r.name}</strong>${r.unlisted ? html` <small class="muted">(not in the contract)</small>` : ''}<br><small class="muted">${r.id}</small>
${r.health.reasons.length ? html`<ul class="reasons">${r.health.reasons.map((x) => html`<li>${x}</li>`)}</ul>` : ''}</td>
<td class="owner">${r.owner.name}${r.owner.channel ? html`<small>${r.owner.channel}</small>` : ''}</td>
${rateCell(r.rates['1h'], r.runRates['1h'])}${rateCell(r.rates['24h'], r.runRates['24h'])}${rateCell(r.rates['7d'], r.runRates['7d'])}
<td>${sparkline(r.trend, r.name)}</td>
<td class="num">${seconds(r.detection?.meanSeconds)}</td>
<td class="num">${seconds(r.recovery?.meanSeconds)}</td>
<td>${when(now, r.lastSuccessAt, 'none recorded')}</td>
<td class="num">${r.openStalls ? html`<strong class="sla-over">${r.openStalls}</strong>` : '0'}</td>
<td class="num"><a href="/incidents?handoff=${encodeURIComponent(r.id)}&amp;state=unresolved">${r.unresolved}</a></td>
<td class="num"><a href="/queue?handoff=${encodeURIComponent(r.id)}">${r.queued}</a></td>
</tr>`;
}

/** The table only appears once something can be reviewed: a pending review, or a contract handoff with a review SLA. */
const hasReviewGate = (o: Overview) => o.pendingReviews.length > 0 || o.reviewGated;

export function overviewView(o: Overview): Html {
  const t = o.totals;
  const runs = o.runTotals;
  return html`<h1>Failed-sync overview</h1>
<p class="lead">Every handoff in the contract. Red needs someone now, amber needs a look, green is fine. The failed sync rate counts handoffs of one record (a deal's kickoff), not n8n runs: a run that caught a failure and routed it to its owner still counts as a failed sync. Times to detect and recover are averages.</p>
<div class="cards">
  <div class="card"><div class="big">${o.counts.red}</div><div class="label"><span class="pill red">red</span></div></div>
  <div class="card"><div class="big">${o.counts.amber}</div><div class="label"><span class="pill amber">amber</span></div></div>
  <div class="card"><div class="big">${o.counts.green}</div><div class="label"><span class="pill green">green</span></div></div>
  <div class="card" data-rate="1h"><div class="big">${percent(t['1h'].ratio)}</div><div class="label">failed sync rate, 1 h (${t['1h'].failed} of ${t['1h'].seen} handoffs)</div></div>
  <div class="card" data-rate="24h"><div class="big">${percent(t['24h'].ratio)}</div><div class="label">failed sync rate, 24 h (${t['24h'].failed} of ${t['24h'].seen} handoffs; n8n: ${runs['24h'].failed} of ${runs['24h'].runs} runs in error)</div></div>
  <div class="card" data-rate="7d"><div class="big">${percent(t['7d'].ratio)}</div><div class="label">failed sync rate, 7 d (${t['7d'].failed} of ${t['7d'].seen} handoffs)</div></div>
  <div class="card" data-queue><div class="big"><a href="/queue">${o.queued}</a></div><div class="label">in the exception queue</div></div>
  ${o.deadAlerts ? html`<div class="card" data-dead-alerts><div class="big sla-over">${o.deadAlerts}</div><div class="label">alert${o.deadAlerts === 1 ? '' : 's'} the webhook refused: owners not told (see the red handoffs)</div></div>` : ''}
</div>
${
  o.rows.length
    ? html`<table class="overview">
<thead><tr><th>Health</th><th>Handoff</th><th>Owner</th><th>Failed 1 h</th><th>Failed 24 h</th><th>Failed 7 d</th><th>Last 24 h</th><th>Time to detect</th><th>Time to recover</th><th>Last success</th><th>Open stalls</th><th>Open incidents</th><th>Queued</th></tr></thead>
<tbody>${o.rows.map((r) => row(r, o.now))}</tbody>
</table>`
    : html`<p class="empty">No handoffs yet: add them to the contract file (HANDOFF_CONTRACTS) and they appear here.</p>`
}
${hasReviewGate(o) ? pendingReviewsView(o.pendingReviews, o.now) : ''}`;
}
