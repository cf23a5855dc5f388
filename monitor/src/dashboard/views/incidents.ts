/** Page 2: incidents filtered by owner, handoff and state, with the SLA clock and ack / resolve. */
import type { Incident } from '../../../../protocol/incidents';
import type { Contract } from '../../contract/schema';
import { html, type Html } from '../html';
import type { PageContext } from './layout';
import { slaCountdown, when } from './format';

export interface IncidentQuery {
  handoff?: string;
  owner?: string;
  state?: 'open' | 'acknowledged' | 'resolved' | 'unresolved';
}

const STATES = ['unresolved', 'open', 'acknowledged', 'resolved'] as const;

/** Ack / resolve buttons; only rendered for someone who may use them (the server checks again). */
export function actions(i: Incident, ctx: PageContext, back: string): Html {
  if (!ctx.canAct || i.state === 'resolved') return html``;
  const form = (action: 'ack' | 'resolve', label: string, cls: string) =>
    html`<form class="inline" method="post" action="/incidents/${i.id}/${action}"><input type="hidden" name="csrf" value="${ctx.csrf ?? ''}"><input type="hidden" name="back" value="${back}"><button type="submit" class="${cls}" data-action="${action}">${label}</button></form>`;
  return html`${i.state === 'open' ? form('ack', 'Acknowledge', 'secondary') : ''}${form('resolve', 'Resolve', '')}`;
}

export function incidentsView(args: {
  incidents: Incident[];
  query: IncidentQuery;
  contract: Contract;
  owners: string[];
  now: number;
  ctx: PageContext;
  back: string;
  flash?: string;
}): Html {
  const { query, now, ctx } = args;
  const name = (id: string) => args.contract.handoffs.find((h) => h.id === id)?.name ?? id;
  return html`<h1>Incidents</h1>
<p class="lead">Failures the owners are told about. The SLA clock runs from opening to resolving; past it, the incident is escalated once.${ctx.canAct ? '' : ' Sign in to acknowledge or resolve.'}</p>
${args.flash ? html`<p class="flash">${args.flash}</p>` : ''}
<form class="filters" method="get" action="/incidents" data-autosubmit>
  <label>Handoff<select name="handoff"><option value="">all handoffs</option>${args.contract.handoffs.map(
    (h) => html`<option value="${h.id}" ${query.handoff === h.id ? html`selected` : ''}>${h.name ?? h.id}</option>`,
  )}</select></label>
  <label>Owner<select name="owner"><option value="">all owners</option>${args.owners.map(
    (o) => html`<option value="${o}" ${query.owner === o ? html`selected` : ''}>${o}</option>`,
  )}</select></label>
  <label>State<select name="state"><option value="">any state</option>${STATES.map(
    (s) => html`<option value="${s}" ${query.state === s ? html`selected` : ''}>${s}</option>`,
  )}</select></label>
  <button type="submit">Filter</button>
</form>
${
  args.incidents.length
    ? html`<table class="incidents">
<thead><tr><th>#</th><th>Incident</th><th>Handoff</th><th>Owner</th><th>State</th><th>Age</th><th>SLA</th><th></th></tr></thead>
<tbody>${args.incidents.map(
        (i) => html`<tr data-incident="${i.id}">
<td class="num"><a href="/incidents/${i.id}">${i.id}</a></td>
<td><a href="/incidents/${i.id}">${i.title}</a><br><span class="sev ${i.severity}">${i.severity}</span>${i.kind ? html` <small class="muted">· ${i.kind}</small>` : ''}${i.count > 1 ? html` <small class="muted">· ${i.count}×</small>` : ''}</td>
<td>${name(i.handoff)}</td>
<td class="owner">${i.owner.name}${i.owner.channel ? html`<small>${i.owner.channel}</small>` : ''}</td>
<td><span class="state ${i.state}">${i.state}</span></td>
<td>${when(now, Date.parse(i.firstSeenAt))}</td>
<td>${slaCountdown(now, Date.parse(i.slaDueAt), i.state === 'resolved')}${i.escalatedTo ? html`<br><small class="muted">escalated to ${i.escalatedTo.name}</small>` : ''}</td>
<td class="actions">${actions(i, ctx, args.back)}</td>
</tr>`,
      )}</tbody></table>`
    : html`<p class="empty">No incidents match these filters.</p>`
}`;
}
