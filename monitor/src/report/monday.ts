/**
 * The Monday-morning check (docs/architecture.md, 10–20 minutes) filled from live data: six items, each with a
 * verdict, a one-line summary and the details behind it. Pure over ReportData and the overview, so
 * the dashboard page and `handoff-monitor report monday` print the same thing.
 */
import { INCIDENT_SEVERITIES, type Incident, type IncidentPerson } from '../../../protocol/incidents';
import { redactString } from '../../../protocol/redact';
import type { Contract } from '../contract/schema';
import { formatDuration } from '../util/duration';
import type { ReportData, Trace } from './data';
import { isPastSla, type Overview } from './overview';
import type { PendingReview } from './reviews';

export type MondayItemId = 'red' | 'incidents' | 'spot_check' | 'queues' | 'high_impact' | 'leadership';

export interface MondayItem {
  id: MondayItemId;
  title: string;
  /** true: nothing to do here; false: a person should look. */
  ok: boolean;
  summary: string;
  details: string[];
}

export interface TraceStep {
  at: number;
  kind: string;
  note?: string;
  /** Consecutive checkpoints of one kind fold into one step (a suppressed webhook storm). */
  count?: number;
}

export interface SpotCheck {
  handoff: string;
  name: string;
  key: string;
  attempt: number;
  steps: TraceStep[];
  tookMs: number;
  executionId: string | null;
}

export interface MondayReport {
  generatedAt: string;
  items: MondayItem[];
  spotChecks: SpotCheck[];
  highImpact?: { incident: Incident; why: string };
  leadershipUpdate: string;
  pendingReviews: PendingReview[];
}

const percent = (ratio: number | undefined) => (ratio === undefined ? 'n/a' : `${Math.round(ratio * 1000) / 10}%`);
const person = (p: IncidentPerson) => (p.channel ? `${p.name} (${p.channel})` : p.name);
const ago = (now: number, at: number) => `${formatDuration(Math.max(0, now - at))} ago`;
const nameOf = (contract: Contract, id: string) => contract.handoffs.find((h) => h.id === id)?.name ?? id;

/**
 * Who replayed: `by` (a person) and `via` (dashboard or api) since replays record the person; older
 * checkpoints said only where it came from, in `by` ("dashboard", "api 10.0.0.5").
 */
function replayedBy(details: Record<string, unknown>): string {
  const by = typeof details.by === 'string' ? redactString(details.by) : undefined;
  if (details.via === 'dashboard' || details.via === 'api') {
    const where = details.via === 'dashboard' ? 'on the dashboard' : 'through the API';
    return by ? `by ${by} ${where}` : `${where} (no name given)`;
  }
  return `from the ${by ?? 'monitor'}`;
}

/** A checkpoint's details in a few words: the reason, the error or the first few fields. */
function note(kind: string, details: Record<string, unknown> | undefined): string | undefined {
  if (!details) return undefined;
  // The monitor's own events say who and what in words, not JSON.
  if (kind === 'incident_opened' || kind === 'incident_repeated')
    return `incident #${details.incidentId}${details.kind ? `, ${details.kind}` : ''}`;
  if (kind === 'incident_resolved') return `incident #${details.incidentId} resolved by hand`;
  if (kind === 'replayed') return `${replayedBy(details)}, input of execution ${details.of ?? '?'}`;
  if (kind === 'execution_failed') return `n8n run ended ${details.status ?? 'in error'}`;
  if ((kind === 'completed' || kind === 'released') && Object.keys(details).every((k) => k === 'attempt')) return undefined;
  const pick = details.reason ?? details.message ?? details.error;
  // Stored redacted; redacting again on display guards rows written before a pattern existed.
  const text = redactString(typeof pick === 'string' ? pick : JSON.stringify(details));
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** Runs of one kind in a row become one step with a count: 29 `validated` of a storm read as one line. */
export function foldSteps(steps: TraceStep[]): TraceStep[] {
  const out: TraceStep[] = [];
  for (const s of steps) {
    const last = out[out.length - 1];
    if (last && last.kind === s.kind) last.count = (last.count ?? 1) + 1;
    else out.push({ ...s });
  }
  return out;
}

const stepText = (s: TraceStep) => `${s.kind}${s.count ? ` ×${s.count}` : ''}`;

/**
 * One handoff end to end across every attempt: from its first sighting (the first checkpoint, or the
 * first failure) to the completion, so a deal that failed, waited for a fix and was replayed shows
 * how long it really took, not only the last attempt.
 */
export function spotCheck(trace: Trace, contract: Contract): SpotCheck {
  const { claim, events, pair } = trace;
  const attempt = pair?.attempt ?? claim.attempt;
  const steps: TraceStep[] = [{ at: claim.claimedAt, kind: 'claimed', note: attempt > 1 ? `attempt ${attempt}` : undefined }];
  // Checkpoints before this attempt's claim belong to earlier attempts; keep them, they explain the retry.
  for (const e of events) steps.push({ at: e.at, kind: e.kind, note: note(e.kind, e.details) });
  if (!events.some((e) => e.kind === 'completed')) steps.push({ at: claim.completedAt, kind: 'completed' });
  steps.sort((a, b) => a.at - b.at);
  const completedAt = pair?.completedAt ?? claim.completedAt;
  const startedAt = Math.min(steps[0].at, pair?.firstSeenAt ?? Number.POSITIVE_INFINITY);
  return {
    handoff: claim.handoff,
    name: nameOf(contract, claim.handoff),
    key: claim.key,
    attempt,
    steps: foldSteps(steps),
    tookMs: Math.max(0, completedAt - startedAt),
    executionId: claim.executionId,
  };
}

const rank = (i: Incident) => INCIDENT_SEVERITIES.indexOf(i.severity);

/**
 * The one failure worth a backlog item: past its SLA first (it already cost a client-facing delay),
 * then severity, then failures × the handoff's rework estimate (what repeating it costs), then recency.
 */
export function pickHighImpact(incidents: Incident[], contract: Contract, now: number): { incident: Incident; why: string } | undefined {
  const rework = (i: Incident) => i.count * (contract.handoffs.find((h) => h.id === i.handoff)?.reworkMinutes ?? 30);
  const sorted = [...incidents].sort(
    (a, b) =>
      Number(isPastSla(b, now)) - Number(isPastSla(a, now)) ||
      rank(b) - rank(a) ||
      rework(b) - rework(a) ||
      Date.parse(b.lastSeenAt) - Date.parse(a.lastSeenAt),
  );
  const top = sorted[0];
  if (!top) return undefined;
  const why = [
    isPastSla(top, now) ? 'past its exception SLA' : undefined,
    `severity ${top.severity}`,
    `${top.count} failure${top.count === 1 ? '' : 's'}`,
    `~${formatDuration(rework(top) * 60_000)} of rework at stake`,
  ].filter(Boolean);
  return { incident: top, why: why.join(', ') };
}

export function buildMonday(data: ReportData, overview: Overview): MondayReport {
  const { now, contract } = data;
  const monday = data.monday ?? { traces: [], openClaims: [], pendingAlerts: 0 };
  const items: MondayItem[] = [];

  const red = overview.rows.filter((r) => r.health.level === 'red');
  const amber = overview.rows.filter((r) => r.health.level === 'amber');
  items.push({
    id: 'red',
    title: 'Red on the failed-sync dashboard',
    ok: red.length === 0,
    summary: red.length
      ? `${red.length} of ${overview.rows.length} handoffs red: ${red.map((r) => r.name).join(', ')}`
      : `No handoff is red (${overview.counts.green} green, ${amber.length} amber)`,
    details: [...red, ...amber].map(
      (r) => `${r.health.level.toUpperCase()} ${r.name} (owner ${person(r.owner)}): ${r.health.reasons.join('; ')}`,
    ),
  });

  const unassigned = data.recent.filter((i) => i.owner.name === 'unassigned');
  const openRecent = data.recent.filter((i) => i.state !== 'resolved');
  items.push({
    id: 'incidents',
    title: 'Incidents of the last 48 hours and their owners',
    ok: openRecent.length === 0 && unassigned.length === 0,
    summary: data.recent.length
      ? `${data.recent.length} incident${data.recent.length === 1 ? '' : 's'} seen in 48 h: ${openRecent.length} unresolved, ${unassigned.length} without an owner`
      : 'No incidents in the last 48 hours',
    details: data.recent.map(
      (i) =>
        `#${i.id} [${i.state}] ${nameOf(contract, i.handoff)}: ${i.title} — owner ${person(i.owner)}, first seen ${ago(now, Date.parse(i.firstSeenAt))}${i.count > 1 ? `, ${i.count}×` : ''}`,
    ),
  });

  const spotChecks = monday.traces.map((t) => spotCheck(t, contract));
  items.push({
    id: 'spot_check',
    title: `Spot-check ${spotChecks.length || '2–3'} recent handoffs end to end`,
    ok: spotChecks.length > 0,
    summary: spotChecks.length
      ? spotChecks
          .map(
            (s) =>
              `${s.name} ${s.key}: ${s.steps.map(stepText).join(' → ')} in ${formatDuration(s.tookMs)}${s.attempt > 1 ? ` over ${s.attempt} attempts` : ''}`,
          )
          .join('; ')
      : 'No completed handoff in the ledger yet: nothing to trace (are the workflows using the Idempotency Gate?)',
    details: spotChecks.flatMap((s) => [
      `${s.name} — key ${s.key}${s.executionId ? `, execution ${s.executionId}` : ''}`,
      ...s.steps.map((x) => `  ${new Date(x.at).toISOString()} ${stepText(x)}${x.note ? ` (${x.note})` : ''}`),
    ]),
  });

  const stuck = monday.openClaims.filter((c) => c.leaseExpiresAt !== null && c.leaseExpiresAt <= now);
  // Reviews are a queue too: an approval nobody answered holds the handoff as surely as a stuck claim.
  const reviews = overview.pendingReviews;
  const overdueReviews = reviews.filter((r) => r.overdue);
  const quiet = overview.rows.filter((r) => !r.unlisted && r.runRates['24h'].runs === 0);
  const failing = overview.rows.filter((r) => r.rates['24h'].failed > 0);
  // The exception queue: every handoff of a record that failed and has not completed since.
  const queue = data.queue ?? [];
  items.push({
    id: 'queues',
    title: 'Retry queues empty and webhooks delivering',
    ok:
      queue.length === 0 &&
      stuck.length === 0 &&
      monday.pendingAlerts === 0 &&
      overview.deadAlerts === 0 &&
      quiet.length === 0 &&
      overdueReviews.length === 0,
    summary: [
      queue.length
        ? `${queue.length} handoff${queue.length === 1 ? '' : 's'} in the exception queue (oldest failed ${ago(now, queue[0].failedAt)})`
        : 'exception queue empty',
      `${monday.openClaims.length} open claim${monday.openClaims.length === 1 ? '' : 's'} (${stuck.length} past the lease)`,
      ...(reviews.length
        ? [`${reviews.length} pending review${reviews.length === 1 ? '' : 's'} (${overdueReviews.length} past the review SLA)`]
        : []),
      `${monday.pendingAlerts} alert${monday.pendingAlerts === 1 ? '' : 's'} waiting in the outbox`,
      // A dead alert is never retried: the webhook refused it and its owner was not told.
      ...(overview.deadAlerts
        ? [`${overview.deadAlerts} alert${overview.deadAlerts === 1 ? '' : 's'} the webhook refused (owners not told; see the incidents)`]
        : []),
      quiet.length ? `no runs in 24 h: ${quiet.map((r) => r.name).join(', ')}` : 'every handoff ran in the last 24 h',
    ].join('; '),
    details: [
      ...overview.rows.map(
        (r) =>
          `${r.name}: ${r.rates['24h'].seen} handoff${r.rates['24h'].seen === 1 ? '' : 's'} in 24 h, ${r.rates['24h'].failed} failed (n8n: ${r.runRates['24h'].runs} run${r.runRates['24h'].runs === 1 ? '' : 's'}, ${r.runRates['24h'].failed} in error); last run ${r.lastRunAt ? ago(now, r.lastRunAt) : 'never'}; last success ${r.lastSuccessAt ? ago(now, r.lastSuccessAt) : 'none recorded'}`,
      ),
      ...queue
        .slice(0, 10)
        .map(
          (e) =>
            `queued ${nameOf(contract, e.handoff)} ${e.key}: ${e.kind}, failed ${ago(now, e.failedAt)}${e.incident ? `, incident #${e.incident.id} (${person(e.incident.owner)})` : ''}${e.replays ? `, replayed ${e.replays}×` : ''}`,
        ),
      ...stuck.slice(0, 10).map((c) => `stuck claim ${nameOf(contract, c.handoff)} ${c.key}, claimed ${ago(now, c.claimedAt)}`),
      ...reviews.slice(0, 10).map((r) => pendingReviewLine(r)),
      ...(failing.length ? [`failures in 24 h: ${failing.map((r) => `${r.name} ${r.rates['24h'].failed}`).join(', ')}`] : []),
    ],
  });

  // Only what is still broken: an incident whose handoff recovered (or that someone resolved) is done.
  const candidates = [
    ...new Map([...data.unresolved, ...data.recent].filter((i) => i.state !== 'resolved').map((i) => [i.id, i])).values(),
  ];
  const highImpact = pickHighImpact(candidates, contract, now);
  items.push({
    id: 'high_impact',
    title: 'One high-impact failure for the backlog',
    ok: true,
    summary: highImpact
      ? `#${highImpact.incident.id} ${nameOf(contract, highImpact.incident.handoff)}: ${highImpact.incident.title} (${highImpact.why})`
      : 'No failure to pick: every failure has recovered or been resolved',
    details: highImpact
      ? [
          `owner ${person(highImpact.incident.owner)}`,
          ...(highImpact.incident.error?.message ? [`error: ${highImpact.incident.error.message}`] : []),
        ]
      : [],
  });

  const leadershipUpdate = leadershipLine(data, overview, highImpact?.incident);
  items.push({ id: 'leadership', title: 'One-line status for leadership', ok: true, summary: leadershipUpdate, details: [] });

  return { generatedAt: new Date(now).toISOString(), items, spotChecks, highImpact, leadershipUpdate, pendingReviews: reviews };
}

export function pendingReviewLine(r: PendingReview): string {
  return `pending review ${r.name}, n8n execution ${r.executionId}: waiting ${formatDuration(r.ageMs)} (review SLA ${formatDuration(r.reviewSlaMs)}${r.overdue ? ', overdue' : ''}), reviewer ${person(r.reviewer)}`;
}

export function leadershipLine(data: ReportData, overview: Overview, focus?: Incident): string {
  const { red, amber, green } = overview.counts;
  const n = overview.rows.length;
  const health = red || amber ? `${green} of ${n} handoffs green, ${amber} amber, ${red} red` : `all ${n} handoffs green`;
  const week = overview.totals['7d'];
  const rate = week.seen
    ? `failed sync rate ${percent(week.ratio)} over 7 days (${week.failed} of ${week.seen} handoffs)`
    : 'no handoffs recorded in 7 days';
  const open = data.recent.filter((i) => i.state !== 'resolved').length;
  const pastSla = data.unresolved.filter((i) => isPastSla(i, data.now)).length;
  const incidents = `${data.recent.length} incident${data.recent.length === 1 ? '' : 's'} in 48 h (${open} open, ${pastSla} past SLA)`;
  const top = focus ? `; focus: ${focus.title} (${focus.owner.name})` : '';
  return `Handoffs ${new Date(data.now).toISOString().slice(0, 10)}: ${health}; ${rate}; ${incidents}${top}.`;
}
