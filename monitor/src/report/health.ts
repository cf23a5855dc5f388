/**
 * Red / amber / green for one handoff: the first thing a delivery lead looks at on Monday. Pure, so
 * the rule has a table test (test/unit/dashboard-health.test.ts) and the dashboard, the map and
 * `handoff-monitor report monday` can never disagree.
 */

export type HealthLevel = 'red' | 'amber' | 'green';

export interface HealthInput {
  /** Handoff pairs (handoff, key) first seen in the 1h window, and those of them that failed. */
  seen1h: number;
  failed1h: number;
  /** Pairs of the 24h window that failed. */
  failed24h: number;
  /** Pairs waiting in the exception queue (failed, not completed). */
  queued?: number;
  /** `runs` when the handoff reports no keys: then nothing can say its failures recovered. */
  basis?: 'pairs' | 'runs';
  /** Unresolved incidents of kind "stalled" (claim past its completion SLA, stuck run, no outcome, went quiet). */
  openStalls: number;
  /** Open or acknowledged incidents of any kind. */
  unresolved: number;
  /** Unresolved incidents whose exception SLA has run out (escalated or due). */
  pastSla: number;
  /** Alerts for unresolved incidents that the webhook refused: their owner was never told. */
  deadAlerts?: number;
}

export interface Health {
  level: HealthLevel;
  /** Why, in words a lead can repeat; empty when green. */
  reasons: string[];
}

/**
 * Above one failed handoff in five over the last hour, retries are no longer absorbing the failures:
 * the design's retry policy (3 attempts with backoff) makes a sustained 20% failure rate visible
 * work for a person, so it is red rather than a warning.
 */
export const RED_FAILED_RATE_1H = 0.2;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10}%`;

export function handoffHealth(input: HealthInput): Health {
  const red: string[] = [];
  if (input.openStalls > 0) red.push(`${plural(input.openStalls, 'open stall')}`);
  // A bad hour whose every failed handoff has since completed (nothing queued, no incident open) needs a look, not someone now.
  const badHour = input.seen1h > 0 && input.failed1h / input.seen1h > RED_FAILED_RATE_1H;
  const allRecovered = input.basis !== 'runs' && !input.queued && input.unresolved === 0;
  if (badHour && !allRecovered) {
    red.push(`failed sync rate ${percent(input.failed1h / input.seen1h)} in the last hour (red above ${percent(RED_FAILED_RATE_1H)})`);
  }
  if (input.pastSla > 0) red.push(`${plural(input.pastSla, 'incident')} past the exception SLA`);
  // The product's promise is that owners hear about failures; an alert nobody received breaks it.
  if (input.deadAlerts) red.push(`${plural(input.deadAlerts, 'alert')} the webhook refused: the owner was not told`);
  if (red.length) return { level: 'red', reasons: red };

  const amber: string[] = [];
  if (badHour && allRecovered)
    amber.push(`failed sync rate ${percent(input.failed1h / input.seen1h)} in the last hour, every failed handoff recovered since`);
  if (input.unresolved > 0) amber.push(`${plural(input.unresolved, 'open incident')}`);
  if (input.queued) amber.push(`${plural(input.queued, 'handoff')} waiting in the exception queue`);
  if (input.failed24h > 0) amber.push(`${plural(input.failed24h, 'failed handoff')} in 24 h`);
  if (amber.length) return { level: 'amber', reasons: amber };
  return { level: 'green', reasons: [] };
}
