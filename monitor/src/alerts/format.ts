/**
 * Alert bodies. Slack-compatible (`{text, blocks}`, what Slack, Mattermost and Rocket.Chat incoming
 * webhooks accept) or generic JSON for anything else. Both pass through redaction once more: the
 * incident was redacted before storage, this guards against a formatter adding something new.
 */
import { redact, redactString } from '../../../nodes/shared/redact';
import type { AlertMessage } from './message';

export type AlertFormat = 'slack' | 'json';

const who = (p: { name: string; channel?: string }) => (p.channel ? `${p.name} (${p.channel})` : p.name);

/** Slack mrkdwn treats <, > and & as markup; user text must not open links or mention channels. */
const escapeMrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function alertText(m: AlertMessage): string {
  const i = m.incident;
  if (m.kind === 'recovered') {
    // Short on purpose: the owner already has the incident; this only says it is over.
    const subject = i.idempotencyKey ? `${i.idempotencyKey} on ${i.handoff}` : i.handoff;
    return redactString(`Recovered: ${subject} (incident #${i.id}) — ${i.resolution ?? 'completed'}`);
  }
  const head =
    m.kind === 'escalated'
      ? `Escalated: incident #${i.id} on ${i.handoff} is unresolved past its SLA (due ${i.slaDueAt})`
      : `Incident #${i.id} on ${i.handoff}: ${i.title}`;
  const lines = [
    head,
    `Owner: ${who(i.owner)} · severity ${i.severity} · ${i.count} failure(s) · state ${i.state}`,
  ];
  if (m.kind === 'escalated') lines.push(`Escalated to: ${who(m.to)}`);
  if (i.error?.message) lines.push(`Error${i.error.node ? ` in ${i.error.node}` : ''}: ${i.error.message}`);
  if (i.idempotencyKey) lines.push(`Idempotency key: ${i.idempotencyKey}`);
  if (i.execution?.url) lines.push(`Execution: ${i.execution.url}`);
  return redactString(lines.join('\n'));
}

export function formatSlack(m: AlertMessage): { text: string; blocks: unknown[] } {
  const text = alertText(m);
  if (m.kind === 'recovered') return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(text) } }] };
  const [head, ...rest] = text.split('\n');
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(head)}*` } },
      { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(rest.join('\n')) } },
    ],
  };
}

export function formatGeneric(m: AlertMessage, idempotencyKey: string): Record<string, unknown> {
  return redact(
    { event: `incident.${m.kind}`, idempotencyKey, at: m.at, to: m.to, text: alertText(m), incident: m.incident },
    { limits: { maxString: 4_000, maxDepth: 10 } },
  ) as Record<string, unknown>;
}

export function formatAlert(format: AlertFormat, m: AlertMessage, idempotencyKey: string): unknown {
  return format === 'slack' ? formatSlack(m) : formatGeneric(m, idempotencyKey);
}
