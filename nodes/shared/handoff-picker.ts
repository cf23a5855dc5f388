/**
 * The handoff picker every node that names a handoff shares (Idempotency Gate, Exception Router,
 * Preflight Validate, QA Verify): pick from the monitor's contract, or give the ID (typed, or an
 * expression). Node versions from before the picker keep the field they were saved with (the Gate's
 * and Router's dropdown, a text field in Preflight Validate and QA Verify); `readHandoff` reads both.
 */
import type { IExecuteFunctions, ILoadOptionsFunctions, INodeListSearchResult, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { LEDGER_PATHS, type HandoffSummary } from '../../protocol/ledger';
import { callMonitor } from './monitor-client';

/** The listSearch method name each node registers under `methods.listSearch`. */
export const HANDOFF_SEARCH_METHOD = 'searchHandoffs';

/** A contract id (monitor/src/contract/schema.ts): n8n anchors it with ^…$ itself. */
const HANDOFF_ID = '[A-Za-z0-9][A-Za-z0-9._-]{0,99}';

/** The first node version of each node that shows the picker (what came before keeps its field). */
export const PICKER_SINCE = { idempotencyGate: 1.1, exceptionRouter: 1.2, preflightValidate: 1.1, qaVerify: 1.1 } as const;

/** `displayOptions` that show a property from `version` on, or only before it. */
export const fromVersion = (version: number) => ({ show: { '@version': [{ _cnd: { gte: version } }] } });
export const beforeVersion = (version: number) => ({ show: { '@version': [{ _cnd: { lt: version } }] } });

export interface HandoffPickerOptions {
  /** The Gate cannot work without one; the others fall back (to the item, or to no checkpoints). */
  required: boolean;
  description: string;
  /** The first version of the node that shows the picker. */
  since: number;
}

/** The "Handoff" parameter, a resource locator: From List (the monitor's contract) or By ID. */
export function handoffPicker(o: HandoffPickerOptions): INodeProperties {
  const id = o.required ? HANDOFF_ID : `(${HANDOFF_ID})?`;
  return {
    displayName: 'Handoff',
    name: 'handoff',
    type: 'resourceLocator',
    default: { mode: 'list', value: '' },
    required: o.required,
    description: o.description,
    displayOptions: fromVersion(o.since),
    modes: [
      {
        displayName: 'From List',
        name: 'list',
        type: 'list',
        placeholder: 'Select a handoff…',
        typeOptions: { searchListMethod: HANDOFF_SEARCH_METHOD, searchable: true },
      },
      {
        displayName: 'By ID',
        name: 'id',
        type: 'string',
        placeholder: 'e.g. sales-to-delivery-kickoff',
        hint: 'The handoff ID from handoffs.yaml, or an expression such as {{ $json._handoff.handoff }}',
        validation: [
          {
            type: 'regex',
            properties: {
              regex: id,
              errorMessage: 'A handoff ID is letters, digits, ".", "_" or "-" (at most 100), starting with a letter or digit',
            },
          },
        ],
      },
    ],
  };
}

/** One handoff as the picker lists it: "Name (id)" when the contract gives it a name of its own. */
const label = (h: HandoffSummary) => (h.name && h.name !== h.id ? `${h.name} (${h.id})` : h.id);

/** The picker's list: the monitor's contract, filtered by what was typed (id, name or owner). */
export async function searchHandoffs(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
  let handoffs: HandoffSummary[];
  try {
    ({ handoffs } = await callMonitor<{ handoffs: HandoffSummary[] }>(
      this,
      { method: 'GET', path: LEDGER_PATHS.handoffs },
      { attempts: 1 },
    ));
  } catch (error) {
    throw new NodeOperationError(this.getNode(), error as Error, {
      description:
        'The list comes from the Handoff Guard monitor: check the Handoff Monitor API credential (URL and token) and that the monitor is running, or switch to "By ID".',
    });
  }
  const needle = (filter ?? '').trim().toLowerCase();
  const matches = needle
    ? handoffs.filter((h) =>
        [h.id, h.name, h.owner?.name].some((text) =>
          String(text ?? '')
            .toLowerCase()
            .includes(needle),
        ),
      )
    : handoffs;
  return {
    results: matches.map((h) => ({
      name: label(h),
      value: h.id,
      description: `Owner: ${h.owner.name}${h.owner.channel ? ` ${h.owner.channel}` : ''}`,
    })),
  };
}

/**
 * The handoff id of item `itemIndex`, whatever the node version saved: the picker's value (n8n
 * extracts it) or the plain string of a dropdown or text field.
 */
export function readHandoff(ctx: IExecuteFunctions, itemIndex = 0): string {
  const raw = ctx.getNodeParameter('handoff', itemIndex, '', { extractValue: true }) as unknown;
  const value = raw !== null && typeof raw === 'object' && 'value' in raw ? (raw as { value: unknown }).value : raw;
  return value === undefined || value === null ? '' : String(value).trim();
}
