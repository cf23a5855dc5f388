/** Times and rates as a delivery lead reads them: "12m ago", "due in 3h 5m", "4.2%". */
import { formatDuration } from '../../util/duration';
import { html, type Html } from '../html';

export const percent = (ratio: number | undefined): string => (ratio === undefined ? '—' : `${Math.round(ratio * 1000) / 10}%`);

export const iso = (ms: number) => new Date(ms).toISOString();

/** Relative time with the exact UTC time on hover. */
export function when(now: number, at: number | undefined, never = 'never'): Html {
  if (at === undefined) return html`<span class="muted">${never}</span>`;
  const d = now - at;
  const text = d >= 0 ? `${formatDuration(d)} ago` : `in ${formatDuration(-d)}`;
  return html`<time datetime="${iso(at)}" title="${iso(at).replace('T', ' ').slice(0, 19)} UTC">${text}</time>`;
}

/** The exception-SLA clock: counts down, then shows how long it has been overdue. */
export function slaCountdown(now: number, dueAt: number, resolved: boolean): Html {
  if (resolved) return html`<span class="muted">met or closed</span>`;
  const left = dueAt - now;
  return left > 0
    ? html`<span class="sla ${left < 3_600_000 ? 'sla-soon' : ''}" data-due="${dueAt}">due in ${formatDuration(left)}</span>`
    : html`<span class="sla sla-over" data-due="${dueAt}">overdue by ${formatDuration(-left)}</span>`;
}

/** Detection is often well under a second: show tenths there rather than a misleading "0s". */
export const seconds = (s: number | undefined) =>
  s === undefined ? '—' : s < 10 ? `${(Math.round(s * 10) / 10).toFixed(1)}s` : formatDuration(s * 1000);
