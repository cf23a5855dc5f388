/**
 * Alert grouping, the decision only (the outbox worker is the shell that reads and settles rows).
 * When the task board is down for ten minutes and 40 deals close, the owner gets two messages, not
 * 40: the first alert of a group at once, then the alerts of that group that became due meanwhile as
 * one digest when the group's window ends (Prometheus Alertmanager's group_by / group_interval with
 * group_wait 0: time to the owner's first alert does not grow).
 *
 * The group key is (destination, alert kind, handoff, addressee, incident kind):
 * - destination: the monitor posts every alert to its one HANDOFF_ALERT_WEBHOOK_URL, so all rows a
 *   worker sees share it and it is not spelled out in the key;
 * - alert kind: "opened", "escalated" and "recovered" say different things and ask different things;
 * - handoff and addressee (`to`: the owner a route chose, or the escalation target, with its
 *   channel): one digest speaks to one person about one handoff;
 * - incident kind (request_failed, invalid, stalled…): a digest names one cause, and one kind of a
 *   handoff is what "replay all" in the exception queue acts on. Mixing an outage of the task board
 *   with deals sales must fix would hide the second cause under the first.
 * Severity and the error text are left out: a storm's errors differ in request ids and the like; the
 * digest shows the worst severity and says when errors differ.
 *
 * "When was this group last messaged" is read from the outbox itself (sent rows and their sent_at),
 * not kept in memory: it survives a restart and a change of leader, and a digest marks all its rows
 * sent at one time. Held rows wait in the outbox with their next attempt at the window's end, so a
 * crash loses none of them.
 */
import { createHash } from 'crypto';
import type { OutboxAlert } from '../domain/incident-message';

/** HANDOFF_ALERT_GROUP_WINDOW's default. */
export const DEFAULT_ALERT_GROUP_WINDOW_MS = 60_000;

/**
 * How far back a group's last message is looked for, in windows. A message within the last window
 * holds new alerts until the window ends; one in the window before means the window has ended, so
 * whatever is due goes at once, together. Past that the group is quiet: its next alert is a "first".
 * (Two windows, not one, so that a pass that runs a little after the window's end still sends the
 * held alerts as one digest instead of starting over.)
 */
export const LOOKBACK_WINDOWS = 2;

export const alertGroupKey = (alert: Pick<OutboxAlert, 'kind' | 'message'>): string => {
  const { incident, to } = alert.message;
  return JSON.stringify([alert.kind, incident.handoff, to.name, to.channel ?? '', incident.kind ?? '']);
};

/** Stable across retries of the same rows; a digest that gained a row is a new message with a new key. */
export const digestIdempotencyKey = (alerts: readonly Pick<OutboxAlert, 'id' | 'kind'>[]): string => {
  const ids = alerts.map((a) => a.id).sort((a, b) => a - b);
  return `digest-${alerts[0].kind}-${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 16)}`;
};

export interface AlertPlanInput {
  /** Pending alerts due now, in the order they fell due. */
  due: readonly OutboxAlert[];
  /** Alerts sent lately (at least the last LOOKBACK_WINDOWS windows), with their `sentAt`. */
  recentlySent: readonly OutboxAlert[];
  now: number;
  /** HANDOFF_ALERT_GROUP_WINDOW in ms; 0 turns grouping off (every alert its own message). */
  windowMs: number;
  /** Messages per pass; the alerts of later messages are released to the next pass. */
  maxMessages: number;
}

export interface AlertPlan {
  /** Messages to post now, in due order: one alert alone, or several of one group (a digest). */
  send: OutboxAlert[][];
  /** Alerts that wait: their next attempt moves to `until` (their window's end, or now: the next pass). */
  hold: { until: number; alerts: OutboxAlert[] }[];
}

export function planAlertDeliveries(input: AlertPlanInput): AlertPlan {
  const { now, windowMs } = input;
  const messages: OutboxAlert[][] = [];
  const hold = new Map<number, OutboxAlert[]>();
  const wait = (until: number, alerts: OutboxAlert[]) => {
    if (alerts.length) hold.set(until, [...(hold.get(until) ?? []), ...alerts]);
  };

  if (windowMs <= 0) {
    for (const alert of input.due) messages.push([alert]);
  } else {
    const lastSent = new Map<string, number>();
    const since = now - LOOKBACK_WINDOWS * windowMs;
    for (const alert of input.recentlySent) {
      if (alert.sentAt === undefined || alert.sentAt < since) continue;
      const key = alertGroupKey(alert);
      lastSent.set(key, Math.max(lastSent.get(key) ?? -Infinity, alert.sentAt));
    }
    const groups = new Map<string, OutboxAlert[]>();
    for (const alert of input.due) {
      const key = alertGroupKey(alert);
      groups.set(key, [...(groups.get(key) ?? []), alert]);
    }
    for (const [key, alerts] of groups) {
      const last = lastSent.get(key);
      if (last === undefined) {
        // A quiet group: its oldest alert goes now, alone; the rest wait out the window it opens.
        messages.push(alerts.slice(0, 1));
        wait(now + windowMs, alerts.slice(1));
      } else if (now < last + windowMs) {
        wait(last + windowMs, alerts);
      } else {
        messages.push(alerts);
      }
    }
    // Messages in the order their oldest alert fell due.
    const order = new Map(input.due.map((a, i) => [a.id, i]));
    messages.sort((a, b) => order.get(a[0].id)! - order.get(b[0].id)!);
  }

  const send = messages.slice(0, Math.max(0, input.maxMessages));
  wait(now, messages.slice(send.length).flat());
  return { send, hold: [...hold].map(([until, alerts]) => ({ until, alerts })).sort((a, b) => a.until - b.until) };
}
