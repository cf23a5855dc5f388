/** The overview's "pending reviews" table: runs parked on a review gate, oldest first, with their age against the review SLA. */
import type { PendingReview } from '../../report/reviews';
import { formatDuration } from '../../util/duration';
import { html, type Html } from '../html';
import { when } from './format';

export function pendingReviewsView(reviews: PendingReview[], now: number): Html {
  return html`<h2 id="pending-reviews">Pending reviews</h2>
${
  reviews.length
    ? html`<table class="reviews">
<thead><tr><th>Handoff</th><th>n8n execution</th><th>Waiting since</th><th>Age</th><th>Review SLA</th><th>Reviewer</th></tr></thead>
<tbody>${reviews.map(
        (r) => html`<tr data-execution="${r.executionId}" data-overdue="${String(r.overdue)}">
<td><strong>${r.name}</strong><br><small class="muted">${r.handoff}</small></td>
<td>${r.executionId}</td>
<td>${when(now, r.since)}</td>
<td class="num">${r.overdue ? html`<strong class="sla-over">${formatDuration(r.ageMs)}</strong>` : formatDuration(r.ageMs)}</td>
<td class="num">${formatDuration(r.reviewSlaMs)}</td>
<td class="owner">${r.reviewer.name}${r.reviewer.channel ? html`<small>${r.reviewer.channel}</small>` : ''}</td>
</tr>`,
      )}</tbody>
</table>`
    : html`<p class="empty">No run is waiting on a review.</p>`
}`;
}
