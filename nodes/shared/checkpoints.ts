/**
 * Checkpoints: nodes tell the monitor what happened to each handoff key (validated, invalid,
 * verified, qa_failed…) so one handoff can be traced step by step. Strictly best-effort: a trace
 * must never stop a sync, so a monitor outage becomes an execution hint, not a failure.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { readPath } from './field-path';
import { beforeVersion, handoffPicker } from './handoff-picker';
import { EVENT_LIMITS } from '../../protocol/events';
import { LEDGER_LIMITS, LEDGER_PATHS } from '../../protocol/ledger';
import { callMonitor, MONITOR_CREDENTIAL } from './monitor-client';

export interface Checkpoint {
  key?: string;
  /** lower_snake_case, e.g. validated, invalid, verified, qa_failed. */
  kind: string;
  details?: IDataObject;
}

/** The monitor accepts at most this many events per request (the protocol's limit). */
export const MAX_EVENTS_PER_REQUEST = EVENT_LIMITS.maxEventsPerRequest;

/** One retry rides out a monitor restart; more would slow the flow for a trace nobody waits for. */
const CHECKPOINT_ATTEMPTS = 2;

export type CheckpointOutcome =
  | { status: 'sent'; accepted: number }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string };

/** Checkpoints need the optional credential; without it the node simply does not report. */
export function reportsCheckpoints(ctx: IExecuteFunctions): boolean {
  return Boolean(ctx.getNode().credentials?.[MONITOR_CREDENTIAL]);
}

/** The handoff key of an item as the ledger knows it, or undefined when the item has none. */
export function checkpointKey(json: IDataObject, keyField: string): string | undefined {
  if (!keyField) return undefined;
  const raw = readPath(json, keyField);
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const key = String(raw).trim();
  return key && key.length <= LEDGER_LIMITS.maxKeyLength ? key : undefined;
}

/** Sends the run's checkpoints in one request (more only past the monitor's per-request limit). */
export async function reportCheckpoints(ctx: IExecuteFunctions, handoff: string, checkpoints: Checkpoint[]): Promise<CheckpointOutcome> {
  if (!reportsCheckpoints(ctx)) return { status: 'skipped', reason: 'no Handoff Monitor credential' };
  if (checkpoints.length === 0) return { status: 'skipped', reason: 'nothing to report' };
  if (!handoff) {
    hint(ctx, 'Checkpoints were not sent: set "Handoff" to the handoff id from the contract so the monitor can trace it.');
    return { status: 'skipped', reason: 'no handoff' };
  }
  const execution = { id: ctx.getExecutionId(), workflowId: ctx.getWorkflow().id };
  let accepted = 0;
  try {
    for (let start = 0; start < checkpoints.length; start += MAX_EVENTS_PER_REQUEST) {
      const events = checkpoints.slice(start, start + MAX_EVENTS_PER_REQUEST).map((c) => ({ handoff, execution, ...c }));
      const response = await callMonitor<{ accepted?: number }>(
        ctx,
        { method: 'POST', path: LEDGER_PATHS.events, body: { events } as unknown as IDataObject },
        { attempts: CHECKPOINT_ATTEMPTS },
      );
      accepted += Number(response?.accepted ?? events.length);
    }
    return { status: 'sent', accepted };
  } catch (error) {
    const reason = (error as Error).message;
    hint(ctx, `Checkpoints were not recorded in the monitor (${reason}). The items were processed normally; only the trace is missing.`);
    return { status: 'failed', reason };
  }
}

function hint(ctx: IExecuteFunctions, message: string) {
  if (typeof ctx.addExecutionHints === 'function') ctx.addExecutionHints({ message, type: 'warning', location: 'outputPane' });
}

/**
 * The "Handoff" parameter of the nodes that report checkpoints (Preflight Validate, QA Verify): the
 * shared picker from version `since` on; version 1 keeps the text field it was saved with.
 */
export function checkpointHandoffProperties(since: number): INodeProperties[] {
  const description =
    'The handoff ID from the contract. With a Handoff Monitor credential, each result is reported to the monitor as a checkpoint.';
  return [
    {
      displayName: 'Handoff',
      name: 'handoff',
      type: 'string',
      default: '',
      placeholder: 'e.g. sales-to-delivery-kickoff',
      description,
      displayOptions: beforeVersion(since),
    },
    handoffPicker({
      required: false,
      since,
      description: `${description} The list needs that credential; "By ID" works without it.`,
    }),
  ];
}
