/**
 * Direct notification from the node (optional; the monitor's outbox is the durable path). Retries
 * network errors, 5xx and 429 with n8n's `sleep` (cancellable, no raw timers); a 4xx is final.
 */
import type { IDataObject, IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import type { Incident, IncidentRequest } from '../../protocol/incidents';
import { redact, redactString } from '../../protocol/redact';

/** 0.5 s, 1 s, 2 s…: rides out a chat service's blip without holding the workflow for long. */
const BASE_DELAY_MS = 500;
const TIMEOUT_MS = 10_000;

export type NotifyFormat = 'slack' | 'webhook';

export function notificationText(report: IncidentRequest, recorded?: Incident): string {
  const owner = recorded?.owner ?? (typeof report.owner === 'string' ? { name: report.owner } : report.owner);
  const lines = [
    `${recorded ? `Incident #${recorded.id}` : 'Incident'} on ${report.handoff}: ${report.title}`,
    `Severity ${recorded?.severity ?? report.severity ?? 'high'}${owner ? ` · owner ${owner.name}${owner.channel ? ` (${owner.channel})` : ''}` : ''}${recorded ? ` · ${recorded.count} failure(s)` : ''}`,
  ];
  if (report.idempotencyKey) lines.push(`Idempotency key: ${report.idempotencyKey}`);
  if (report.execution?.url) lines.push(`Execution: ${report.execution.url}`);
  return redactString(lines.join('\n'));
}

export async function notify(
  ctx: IExecuteFunctions,
  opts: { url: string; format: NotifyFormat; attempts: number },
  report: IncidentRequest,
  recorded?: Incident,
): Promise<{ attempts: number }> {
  const text = notificationText(report, recorded);
  const body = (
    opts.format === 'slack' ? { text } : redact({ event: 'incident', text, incident: recorded ?? report }, { limits: { maxDepth: 10 } })
  ) as IDataObject;
  const signal = ctx.getExecutionCancelSignal();
  let problem = 'no attempt made';
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    try {
      const response = (await ctx.helpers.httpRequest({
        method: 'POST',
        url: opts.url,
        body,
        json: true,
        timeout: TIMEOUT_MS,
        returnFullResponse: true,
        ignoreHttpStatusErrors: true,
        headers: { 'Idempotency-Key': `${report.dedupKey}:${recorded?.count ?? 1}` },
      })) as IN8nHttpFullResponse;
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { attempts: attempt };
      problem = `HTTP ${status}`;
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) break;
    } catch (err) {
      problem = (err as Error)?.message ?? String(err);
    }
    if (attempt < opts.attempts) await sleep(BASE_DELAY_MS * 2 ** (attempt - 1), signal);
    if (signal?.aborted) break;
  }
  // The URL is a secret (a Slack webhook): never echo it in the error.
  throw new Error(`The notification webhook did not accept the message: ${redactString(problem)}`);
}
