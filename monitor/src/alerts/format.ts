/**
 * Alert bodies. Slack-compatible (`{text, blocks}`, what Slack, Mattermost and Rocket.Chat incoming
 * webhooks accept) or generic JSON for anything else. Both pass through redaction once more: the
 * incident was redacted before storage, this guards against a formatter adding something new.
 */
import { redact, redactString } from '../../../protocol/redact';
import type { AlertMessage } from '../domain/incident-message';

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

const incidentPage = (id: number, opts: AlertFormatOptions) =>
  opts.dashboardUrl ? `${opts.dashboardUrl.replace(/\/+$/, '')}/incidents/${id}` : undefined;

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

export function formatSlack(m: AlertMessage, opts: AlertFormatOptions = {}): { text: string; blocks: unknown[] } {
  const full = alertText(m, opts);
  const tail = pointer(m.incident.id, opts);
  // `text` is the notification and the fallback where blocks do not render: the same bound.
  const text = fitText(full, SLACK_LIMITS.sectionText, tail);
  const section = (s: string) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: fitText(escapeMrkdwn(s), SLACK_LIMITS.sectionText, escapeMrkdwn(tail)) },
  });
  if (m.kind === 'recovered') return { text, blocks: [section(full)] };
  const [head, ...rest] = full.split('\n');
  const blocks = [
    // The head is bold; its cut (a 3,000-character title) must keep the closing asterisk.
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${fitText(escapeMrkdwn(head), SLACK_LIMITS.sectionText - 2, escapeMrkdwn(tail))}*` },
    },
    section(rest.join('\n')),
  ];
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
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
