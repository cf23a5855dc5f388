/**
 * The exception queue: every handoff of one record that failed and has not completed, oldest first,
 * with its owner, failure kind, age against the exception SLA and its incident — and Replay.
 */
import type { Contract } from '../../contract/schema';
import type { QueueEntry } from '../../domain/store';
import { html, type Html } from '../html';
import type { PageContext } from './layout';
import { slaCountdown, when } from './format';

export interface QueueQuery {
  handoff?: string;
  kind?: string;
}

/** A replay form: one key, or (without `key`) every queued pair of a handoff and kind. */
export function replayForm(
  ctx: PageContext,
  target: { handoff: string; key?: string; kind?: string; incident?: number },
  label: string,
  back: string,
  cls = '',
): Html {
  if (!ctx.canAct) return html``;
  const action = target.incident !== undefined ? `/incidents/${target.incident}/replay` : '/queue/replay';
  return html`<form class="inline" method="post" action="${action}"><input type="hidden" name="csrf" value="${ctx.csrf ?? ''}"><input type="hidden" name="back" value="${back}"><input type="hidden" name="handoff" value="${target.handoff}">${
    target.key !== undefined ? html`<input type="hidden" name="key" value="${target.key}">` : ''
  }${target.kind !== undefined ? html`<input type="hidden" name="kind" value="${target.kind}">` : ''}<button type="submit" class="${cls}" data-action="replay">${label}</button></form>`;
}

export function queueView(args: {
  entries: QueueEntry[];
  query: QueueQuery;
  contract: Contract;
  now: number;
  ctx: PageContext;
  back: string;
  flash?: string;
  flashBad?: boolean;
}): Html {
  const { now, ctx, query } = args;
  const handoffOf = (id: string) => args.contract.handoffs.find((h) => h.id === id);
  const kinds = [...new Set(args.entries.map((e) => e.kind))].sort();
  // "Replay all" applies to one handoff and one kind, so a filter must name both first.
  const bulk = query.handoff && query.kind ? { handoff: query.handoff, kind: query.kind } : undefined;
  return html`<h1>Exception queue</h1>
<p class="lead">Handoffs of one record that failed and have not completed, oldest first. Fix the cause, then replay: the run gets the input n8n recorded for its trigger, through the workflow as it is now, and the Idempotency Gate refuses anything already done. A replay that completes resolves its incidents as recovered.${ctx.canAct ? '' : ' Sign in to replay.'}</p>
${args.flash ? html`<p class="flash ${args.flashBad ? 'bad' : ''}">${args.flash}</p>` : ''}
<form class="filters" method="get" action="/queue" data-autosubmit>
  <label>Handoff<select name="handoff"><option value="">all handoffs</option>${args.contract.handoffs.map(
    (h) => html`<option value="${h.id}" ${query.handoff === h.id ? html`selected` : ''}>${h.name ?? h.id}</option>`,
  )}</select></label>
  <label>Kind<select name="kind"><option value="">any kind</option>${[...new Set([...kinds, ...(query.kind ? [query.kind] : [])])].map(
    (k) => html`<option value="${k}" ${query.kind === k ? html`selected` : ''}>${k}</option>`,
  )}</select></label>
  <button type="submit">Filter</button>
  ${bulk && args.entries.length > 0 ? replayForm(ctx, bulk, `Replay all ${args.entries.length} (2 at a time, stops at the first failure)`, args.back) : ''}
</form>
${
  args.entries.length
    ? html`<table class="queue">
<thead><tr><th>Record</th><th>Handoff</th><th>Kind</th><th>Owner</th><th>Failed</th><th>Exception SLA</th><th>Incident</th><th></th></tr></thead>
<tbody>${args.entries.map((e) => {
        const h = handoffOf(e.handoff);
        const owner = e.incident?.owner ?? h?.owner;
        const due = e.incident ? Date.parse(e.incident.slaDueAt) : h ? e.failedAt + h.exceptionSla : undefined;
        return html`<tr data-queue-key="${e.key}">
<td><code>${e.key}</code>${e.replays > 0 ? html`<br><small class="muted">replayed ${e.replays}× · last ${when(now, e.lastReplayAt ?? undefined)}</small>` : ''}</td>
<td>${h?.name ?? e.handoff}</td>
<td>${e.kind}${e.failures > 1 ? html` <small class="muted">· ${e.failures} failures</small>` : ''}</td>
<td class="owner">${owner ? html`${owner.name}${owner.channel ? html`<small>${owner.channel}</small>` : ''}` : html`<span class="muted">unassigned</span>`}</td>
<td>${when(now, e.failedAt)}</td>
<td>${due !== undefined ? slaCountdown(now, due, false) : html`<span class="muted">—</span>`}</td>
<td>${e.incident ? html`<a href="/incidents/${e.incident.id}">#${e.incident.id}</a> <span class="state ${e.incident.state}">${e.incident.state}</span>` : html`<span class="muted">none</span>`}</td>
<td class="actions">${replayForm(ctx, { handoff: e.handoff, key: e.key }, 'Replay', args.back)}</td>
</tr>`;
      })}</tbody></table>`
    : html`<p class="empty">The queue is empty: every handoff that failed has completed since.</p>`
}`;
}
