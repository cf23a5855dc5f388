/**
 * The Exception Router's run: per item, build the incident, route it, record it in the monitor and
 * notify; then release the Gate's claims in one request per handoff. Each item fails on its own
 * under "continue on fail"; every output item keeps its pairedItem.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { readHandoff } from '../shared/handoff-picker';
import { failedItem } from '../shared/item-errors';
import {
  INCIDENT_PATHS,
  type Incident,
  type IncidentRequest,
  type IncidentResponse,
  type IncidentSeverity,
} from '../../protocol/incidents';
import { LEDGER_PATHS, type SettleResponse } from '../../protocol/ledger';
import { callMonitor, MonitorRejectedError, MonitorUnreachableError } from '../shared/monitor-client';
import { failureTime, readFailure } from './failure';
import { defaultNotifyOn, type NotifyOn } from './description';
import { buildIncident, IncidentSettings, RunInfo } from './incident';
import { notify, NotifyFormat } from './notify';
import { routeIncident, RoutingRule, RuleError } from './rules';

interface Routed {
  index: number;
  output: number;
  report: IncidentRequest & { handoff: string };
  summary: IDataObject;
  key?: string;
}

function settingsFor(ctx: IExecuteFunctions, i: number): IncidentSettings {
  const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v).trim());
  return {
    handoff: readHandoff(ctx, i),
    kind: text(options.kind),
    severity: ctx.getNodeParameter('severity', i, 'high') as IncidentSeverity,
    title: text(options.title),
    dedupKey: text(options.dedupKey),
    ownerName: text(options.ownerName),
    ownerChannel: text(options.ownerChannel),
    slaHours: Number(options.slaHours ?? 0) || 0,
    sampleMaxChars: Number(options.sampleMaxChars ?? 2000) || 2000,
  };
}

function runInfo(ctx: IExecuteFunctions): RunInfo {
  const workflow = ctx.getWorkflow();
  const executionId = ctx.getExecutionId();
  const base = String(ctx.getInstanceBaseUrl?.() ?? '').replace(/\/+$/, '');
  return {
    executionId,
    workflowId: workflow.id,
    workflowName: workflow.name,
    executionUrl: base && workflow.id && executionId ? `${base}/workflow/${workflow.id}/executions/${executionId}` : undefined,
  };
}

function explain(error: unknown): string | undefined {
  if (error instanceof MonitorUnreachableError)
    return "The incident was not recorded. Start the monitor or fix the Handoff Monitor API credential's URL.";
  if (error instanceof MonitorRejectedError) return 'The monitor refused the incident; its message names the field to fix.';
  if (error instanceof RuleError) return 'Fix the rule under "Routing Rules".';
  return undefined;
}

export async function routeExceptions(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const rules = (((this.getNodeParameter('rules', 0, {}) as IDataObject).values ?? []) as unknown as RoutingRule[]).map((r) => ({
    ...r,
    field: r.field ?? 'kind',
    operation: r.operation ?? 'equals',
  }));
  const outputs: INodeExecutionData[][] = Array.from({ length: rules.length + 1 }, () => []);
  const fallback = rules.length;
  const run = runInfo(this);
  const routed: Routed[] = [];
  const failures = new Map<number, { output: number; item: INodeExecutionData }>();

  for (let i = 0; i < items.length; i++) {
    let output = fallback;
    try {
      const settings = settingsFor(this, i);
      const failure = { ...readFailure(items[i].json), failedAt: failureTime(items[i].json, Date.now()) };
      const report = buildIncident(items[i].json, failure, settings, run);
      output = routeIncident(rules, report);
      const summary: IDataObject = {
        handoff: report.handoff,
        kind: report.kind,
        dedupKey: report.dedupKey,
        title: report.title,
        severity: report.severity,
      };
      let recorded: Incident | undefined;

      if (this.getNodeParameter('recordIncident', i, true) as boolean) {
        if (!report.handoff) {
          throw new NodeOperationError(this.getNode(), `Item ${i} names no handoff`, {
            itemIndex: i,
            description: 'Pick the handoff under "Handoff", or send items that passed an Idempotency Gate (they carry _handoff.handoff).',
          });
        }
        const { incident, deduplicated } = await callMonitor<IncidentResponse>(this, {
          method: 'POST',
          path: INCIDENT_PATHS.incidents,
          body: report as unknown as IDataObject,
        });
        recorded = incident;
        Object.assign(summary, {
          id: incident.id,
          state: incident.state,
          owner: incident.owner,
          slaDueAt: incident.slaDueAt,
          count: incident.count,
          deduplicated,
        });
      }
      const notifyFormat = this.getNodeParameter('notify', i, 'none') as string;
      const notifyOn = this.getNodeParameter('notifyOn', i, defaultNotifyOn(this.getNode().typeVersion)) as NotifyOn;
      if ((notifyFormat === 'slack' || notifyFormat === 'webhook') && notifyOn === 'opened' && summary.deduplicated === true) {
        // The first failure of this open incident was posted; a repeat only counts in the monitor.
        summary.notified = { skipped: 'repeat of an open incident' };
      } else if (notifyFormat === 'slack' || notifyFormat === 'webhook') {
        const options = this.getNodeParameter('options', i, {}) as IDataObject;
        const url = String(this.getNodeParameter('notifyUrl', i, '')).trim();
        if (!/^https?:\/\//i.test(url)) {
          throw new NodeOperationError(this.getNode(), 'The notification Webhook URL is not an http(s) URL', {
            itemIndex: i,
            description: 'Paste the incoming webhook URL into "Webhook URL".',
          });
        }
        const sent = await notify(
          this,
          { url, format: notifyFormat as NotifyFormat, attempts: Number(options.notifyAttempts ?? 3) || 3 },
          report,
          recorded,
        );
        summary.notified = { attempts: sent.attempts };
      }
      routed.push({ index: i, output, report, summary, key: failure.key });
    } catch (error) {
      const nodeError =
        error instanceof NodeOperationError
          ? error
          : new NodeOperationError(this.getNode(), error as Error, { itemIndex: i, description: explain(error) });
      if (!this.continueOnFail()) throw nodeError;
      failures.set(i, { output, item: failedItem(this, items[i], i, nodeError) });
    }
  }

  await releaseClaims(this, routed);

  for (const failed of failures.values()) outputs[failed.output].push(failed.item);
  for (const r of routed) {
    outputs[r.output].push({
      json: { ...items[r.index].json, _incident: r.summary },
      binary: items[r.index].binary,
      pairedItem: { item: r.index },
    });
  }
  // Failed and routed items were collected apart; keep the input order within each output.
  for (const out of outputs) out.sort((a, b) => pairedIndex(a) - pairedIndex(b));
  return outputs;
}

const pairedIndex = (item: INodeExecutionData) => (item.pairedItem as { item: number }).item;

/**
 * Gives the Gate's claims back so a retry can claim the key again: one request per handoff. A
 * failed release leaves the claim to expire with its lease (a stall the monitor reports), so it
 * fails the node unless "continue on fail" is set, then each item says so.
 */
async function releaseClaims(ctx: IExecuteFunctions, routed: Routed[]): Promise<void> {
  const byHandoff = new Map<string, Routed[]>();
  for (const r of routed) {
    if (!r.key || !r.report.handoff || !(ctx.getNodeParameter('releaseClaim', r.index, true) as boolean)) continue;
    byHandoff.set(r.report.handoff, [...(byHandoff.get(r.report.handoff) ?? []), r]);
  }
  for (const [handoff, group] of byHandoff) {
    const keys = [...new Set(group.map((r) => r.key as string))];
    try {
      const response = await callMonitor<SettleResponse>(ctx, {
        method: 'POST',
        path: LEDGER_PATHS.release,
        body: { handoff, keys, reason: 'released by the Exception Router after the failure was recorded' },
      });
      const outcome = new Map(response.results.map((res) => [res.key, res.outcome]));
      for (const r of group) r.summary.released = outcome.get(r.key as string) ?? 'unknown';
    } catch (error) {
      if (!ctx.continueOnFail()) {
        throw new NodeOperationError(ctx.getNode(), error as Error, {
          itemIndex: group[0].index,
          description:
            'The incidents were recorded, but the claims were not released: a retry will see them as in progress until their lease ends.',
        });
      }
      for (const r of group) r.summary.released = false;
      for (const r of group) r.summary.releaseError = (error as Error).message;
    }
  }
}
