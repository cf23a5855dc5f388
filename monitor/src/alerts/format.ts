/**
 * Alert bodies. Slack-compatible (`{text, blocks}`, what Slack, Mattermost and Rocket.Chat incoming
 * webhooks accept) or generic JSON for anything else. Both pass through redaction once more: the
 * incident was redacted before storage, this guards against a formatter adding something new.
 */
import { INCIDENT_SEVERITIES } from '../../../protocol/incidents';
import { redact, redactString } from '../../../protocol/redact';
import { type AlertDelivery, type AlertDigest, type AlertMessage, isDigest } from '../domain/incident-message';

export type AlertFormat = 'slack' | 'json';

export interface AlertFormatOptions {
  /** HANDOFF_DASHBOARD_URL: where people open the dashboard; alerts link to the incident's page. */
  dashboardUrl?: string;
}

/**
 * Slack's documented Block Kit limits (api.slack.com/reference/block-kit): a section's text is at
 * most 3,000 characters and a message at most 50 blocks. Past either Slack answers 400
 * invalid_blocks and the alert is never shown, so long text is cut with a pointer to the incident.
 */
export const SLACK_LIMITS = { sectionText: 3_000, blocks: 50 } as const;

const who = (p: { name: string; channel?: string }) => (p.channel ? `${p.name} (${p.channel})` : p.name);

/** Slack mrkdwn treats <, > and & as markup; user text must not open links or mention channels. */
const escapeMrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const dashboardPage = (path: string, opts: AlertFormatOptions) =>
  opts.dashboardUrl ? `${opts.dashboardUrl.replace(/\/+$/, '')}${path}` : undefined;

const incidentPage = (id: number, opts: AlertFormatOptions) => dashboardPage(`/incidents/${id}`, opts);

/** Where the whole text is, for the note that ends a shortened one. */
const pointer = (id: number, opts: AlertFormatOptions) => {
  const page = incidentPage(id, opts);
  return page ? `… (cut; the whole incident: ${page})` : `… (cut; the whole incident is #${id} on the Handoff Guard dashboard)`;
};

/**
 * At most `limit` characters: the text, or its start and the pointer. Never ends inside an escaped
 * character (`&amp;`) or between the halves of a surrogate pair.
 */
export function fitText(text: string, limit: number, tail: string): string {
  if (text.length <= limit) return text;
  let head = text.slice(0, Math.max(0, limit - tail.length - 1));
  const amp = head.lastIndexOf('&');
  if (amp >= 0 && head.indexOf(';', amp) < 0) head = head.slice(0, amp);
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return `${head}\n${tail}`;
}

export function alertText(m: AlertMessage, opts: AlertFormatOptions = {}): string {
  const i = m.incident;
  const page = incidentPage(i.id, opts);
  if (m.kind === 'recovered') {
    // Short on purpose: the owner already has the incident; this only says it is over.
    const subject = i.idempotencyKey ? `${i.idempotencyKey} on ${i.handoff}` : i.handoff;
    return redactString(`Recovered: ${subject} (incident #${i.id}) — ${i.resolution ?? 'completed'}`);
  }
  const head =
    m.kind === 'escalated'
      ? `Escalated: incident #${i.id} on ${i.handoff} is unresolved past its SLA (due ${i.slaDueAt})`
      : `Incident #${i.id} on ${i.handoff}: ${i.title}`;
  const lines = [head, `Owner: ${who(i.owner)} · severity ${i.severity} · ${i.count} failure(s) · state ${i.state}`];
  if (m.kind === 'escalated') lines.push(`Escalated to: ${who(m.to)}`);
  if (i.error?.message) lines.push(`Error${i.error.node ? ` in ${i.error.node}` : ''}: ${i.error.message}`);
  if (i.idempotencyKey) lines.push(`Idempotency key: ${i.idempotencyKey}`);
  if (i.execution?.url) lines.push(`Execution: ${i.execution.url}`);
  if (page) lines.push(`Incident page: ${page}`);
  return redactString(lines.join('\n'));
}

/** A digest names at most this many deals; the rest are counted ("and 7 more") and on the dashboard. */
export const DIGEST_LISTED = 10;
/** The cause in a digest's first line is one line, not a 9,000-character error page. */
const CAUSE_CHARS = 200;

const oneLine = (s: string, max: number) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** Where the whole group is: the exception queue filtered to it (replay all acts there), else the handoff's incidents. */
const digestPage = (d: AlertDigest, opts: AlertFormatOptions) => {
  const { incident } = d.alerts[0].message;
  const handoff = encodeURIComponent(incident.handoff);
  if (d.kind === 'opened' && incident.kind)
    return dashboardPage(`/queue?handoff=${handoff}&kind=${encodeURIComponent(incident.kind)}`, opts);
  return dashboardPage(`/incidents?handoff=${handoff}`, opts);
};

/**
 * One message for several alerts of one group (alerts/grouping.ts): what happened, to how many deals
 * (by key, at most DIGEST_LISTED, then "and N more"), who owns it and where the whole list is.
 */
export function digestText(d: AlertDigest, opts: AlertFormatOptions = {}): string {
  const incidents = d.alerts.map((a) => a.message.incident);
  const first = d.alerts[0].message;
  const latest = incidents.reduce((a, b) => (b.lastSeenAt > a.lastSeenAt ? b : a));
  const n = incidents.length;
  const keyed = incidents.every((i) => i.idempotencyKey);
  const noun = keyed ? 'deals' : 'incidents';
  const kind = first.incident.kind ? ` — ${first.incident.kind}` : '';
  const causes = new Set(incidents.map((i) => i.error?.message ?? i.title));
  const cause = oneLine(latest.error?.message ?? latest.title, CAUSE_CHARS);
  const causeText = `${cause}${causes.size > 1 ? ` (the latest of ${causes.size} different errors)` : ''}`;
  const head =
    d.kind === 'recovered'
      ? `Recovered: ${n} more ${noun} on ${first.incident.handoff}${kind}`
      : d.kind === 'escalated'
        ? `Escalated: ${n} more ${noun} on ${first.incident.handoff} unresolved past their SLA${kind}: ${causeText}`
        : `${n} more ${noun} failed on ${first.incident.handoff}${kind}: ${causeText}`;
  // In the order the incidents opened (the order the deals failed), whatever order they fell due in.
  const names = [...incidents]
    .sort((a, b) => a.id - b.id)
    .slice(0, DIGEST_LISTED)
    .map((i) => i.idempotencyKey ?? `#${i.id}`);
  const more = n > DIGEST_LISTED ? ` (and ${n - DIGEST_LISTED} more)` : '';
  const ids = incidents.map((i) => i.id);
  const worst = incidents
    .map((i) => i.severity)
    .reduce((a, b) => (INCIDENT_SEVERITIES.indexOf(b) > INCIDENT_SEVERITIES.indexOf(a) ? b : a));
  const lines = [head, `${keyed ? 'Deals' : 'Incidents'}: ${names.join(', ')}${more}`];
  const range = incidentRange(ids);
  if (d.kind === 'escalated')
    lines.push(`Escalated to: ${who(first.to)} · owner ${who(first.incident.owner)} · worst severity ${worst} · ${range}`);
  else lines.push(`Owner: ${who(first.incident.owner)}${d.kind === 'opened' ? ` · worst severity ${worst}` : ''} · ${range}`);
  const page = digestPage(d, opts);
  if (page) lines.push(`${d.kind === 'opened' && first.incident.kind ? 'Exception queue' : 'Incidents'}: ${page}`);
  return redactString(lines.join('\n'));
}

/**
 * "incidents #3–#14" only when the digest holds every incident between the two; otherwise the ids it
 * holds ("incidents #2, #5, #9"), cut after DIGEST_LISTED like the deal keys.
 */
export function incidentRange(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const [low, high] = [sorted[0], sorted[sorted.length - 1]];
  if (sorted.length === 1) return `incident #${low}`;
  if (high - low + 1 === sorted.length) return `incidents #${low}–#${high}`;
  const listed = sorted.slice(0, DIGEST_LISTED).map((id) => `#${id}`);
  return `incidents ${listed.join(', ')}${sorted.length > DIGEST_LISTED ? ` (and ${sorted.length - DIGEST_LISTED} more)` : ''}`;
}

/** The digest's pointer when its text is cut (a 3,000-character deal key list cannot be, but a cause can). */
const digestPointer = (d: AlertDigest, opts: AlertFormatOptions) => {
  const page = digestPage(d, opts);
  return page ? `… (cut; the whole list: ${page})` : '… (cut; the whole list is on the Handoff Guard dashboard)';
};

/** Bold head, then the rest: within Slack's limits, user text escaped. */
function slackBlocks(full: string, tail: string): { text: string; blocks: unknown[] } {
  // `text` is the notification and the fallback where blocks do not render: the same bound.
  const text = fitText(full, SLACK_LIMITS.sectionText, tail);
  const [head, ...rest] = full.split('\n');
  const blocks = [
    // The head is bold; its cut (a 3,000-character title) must keep the closing asterisk.
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${fitText(escapeMrkdwn(head), SLACK_LIMITS.sectionText - 2, escapeMrkdwn(tail))}*` },
    },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: fitText(escapeMrkdwn(rest.join('\n')), SLACK_LIMITS.sectionText, escapeMrkdwn(tail)) },
    },
  ];
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

export function formatSlackDigest(d: AlertDigest, opts: AlertFormatOptions = {}): { text: string; blocks: unknown[] } {
  return slackBlocks(digestText(d, opts), digestPointer(d, opts));
}

export function formatGenericDigest(d: AlertDigest, opts: AlertFormatOptions = {}): Record<string, unknown> {
  const page = digestPage(d, opts);
  const first = d.alerts[0].message;
  return redact(
    {
      event: `incident.${d.kind}.digest`,
      idempotencyKey: d.idempotencyKey,
      at: d.alerts[d.alerts.length - 1].message.at,
      to: first.to,
      text: digestText(d, opts),
      ...(page ? { url: page } : {}),
      count: d.alerts.length,
      // Every incident of the digest, briefly: a receiver can link each one (the whole incident is on the dashboard).
      incidents: d.alerts.map(({ message: { incident: i } }) => ({
        id: i.id,
        handoff: i.handoff,
        kind: i.kind,
        title: i.title,
        severity: i.severity,
        state: i.state,
        ...(i.idempotencyKey ? { idempotencyKey: i.idempotencyKey } : {}),
        ...(i.resolution ? { resolution: i.resolution } : {}),
      })),
    },
    { limits: { maxString: 4_000, maxDepth: 10 } },
  ) as Record<string, unknown>;
}

export function formatSlack(m: AlertMessage, opts: AlertFormatOptions = {}): { text: string; blocks: unknown[] } {
  const full = alertText(m, opts);
  const tail = pointer(m.incident.id, opts);
  if (m.kind !== 'recovered') return slackBlocks(full, tail);
  // `text` is the notification and the fallback where blocks do not render: the same bound.
  const text = fitText(full, SLACK_LIMITS.sectionText, tail);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: fitText(escapeMrkdwn(full), SLACK_LIMITS.sectionText, escapeMrkdwn(tail)) } },
    ],
  };
}

export function formatGeneric(m: AlertMessage, idempotencyKey: string, opts: AlertFormatOptions = {}): Record<string, unknown> {
  const page = incidentPage(m.incident.id, opts);
  return redact(
    {
      event: `incident.${m.kind}`,
      idempotencyKey,
      at: m.at,
      to: m.to,
      text: alertText(m, opts),
      ...(page ? { url: page } : {}),
      incident: m.incident,
    },
    { limits: { maxString: 4_000, maxDepth: 10 } },
  ) as Record<string, unknown>;
}

export function formatAlert(format: AlertFormat, m: AlertMessage, idempotencyKey: string, opts: AlertFormatOptions = {}): unknown {
  return format === 'slack' ? formatSlack(m, opts) : formatGeneric(m, idempotencyKey, opts);
}

/** The body of one webhook post: a single alert as before, or a digest. */
export function formatDelivery(format: AlertFormat, d: AlertDelivery, opts: AlertFormatOptions = {}): unknown {
  if (!isDigest(d)) return formatAlert(format, d.message, d.idempotencyKey, opts);
  return format === 'slack' ? formatSlackDigest(d, opts) : formatGenericDigest(d, opts);
}
