/** The Gate's parameters as ops staff see them in the editor. */
import type { INodeOutputConfiguration, INodeParameters, INodeProperties, NodeHint } from 'n8n-workflow';
import { beforeVersion, handoffPicker, PICKER_SINCE } from '../shared/handoff-picker';

/**
 * Outputs depend on the operation: Claim sorts items three ways, Complete/Release pass them on.
 * n8n evaluates this function's source in the editor, so it must be self-contained.
 */
export function gateOutputs(parameters: INodeParameters): INodeOutputConfiguration[] {
  if (parameters.operation === 'complete' || parameters.operation === 'release') {
    return [{ type: 'main', displayName: 'Done' }];
  }
  return [
    { type: 'main', displayName: 'New' },
    { type: 'main', displayName: 'Duplicate' },
    { type: 'main', displayName: 'Conflict' },
  ];
}

/** What the Gate needs and risks, said on the node before it runs (these notices; shorter hints in the output pane). */
export const GATE_NEEDS_MONITOR =
  'Needs the Handoff Guard monitor: every key is claimed in its ledger. Run handoff-monitor where n8n can reach it and set its URL and token in the Handoff Monitor API credential.';
export const GATE_PASS_THROUGH_RISK =
  'While the monitor is unreachable, "Let Items Through" sends every item to New unclaimed (marked "unverified"): a retried webhook in that time can create a second project. Use it only where a duplicate is cheaper than a stopped flow.';

export const gateHints: NodeHint[] = [
  {
    message: 'Needs the Handoff Guard monitor running: the Gate claims every key in its ledger.',
    type: 'info',
    location: 'outputPane',
    whenToDisplay: 'beforeExecution',
  },
  {
    message: 'If Monitor Unreachable is "Let Items Through": while the monitor is down, duplicates can get through.',
    type: 'warning',
    location: 'ndv',
    whenToDisplay: 'always',
    displayCondition: '={{ $parameter["operation"] === "claim" && $parameter["onMonitorUnreachable"] === "passThrough" }}',
  },
];

export const gateProperties: INodeProperties[] = [
  {
    displayName: GATE_NEEDS_MONITOR,
    name: 'monitorNotice',
    type: 'notice',
    default: '',
  },
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    options: [
      {
        name: 'Claim',
        value: 'claim',
        description: 'Let each key through once: new keys go to New, repeats to Duplicate',
        action: 'Claim keys',
      },
      {
        name: 'Complete',
        value: 'complete',
        description: 'Mark keys done after the handoff succeeded, so later repeats are duplicates',
        action: 'Complete keys',
      },
      {
        name: 'Release',
        value: 'release',
        description: 'Give keys back after a failure, so a retry can claim them again',
        action: 'Release keys',
      },
    ],
    default: 'claim',
  },
  // Version 1 saved the handoff as a dropdown's plain string; it keeps that field (readHandoff reads both).
  {
    displayName: 'Handoff Name or ID',
    name: 'handoff',
    type: 'options',
    typeOptions: { loadOptionsMethod: 'getHandoffs' },
    default: '',
    required: true,
    description:
      'The handoff from the monitor\'s contract (handoffs.yaml). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
    displayOptions: beforeVersion(PICKER_SINCE.idempotencyGate),
  },
  handoffPicker({
    required: true,
    since: PICKER_SINCE.idempotencyGate,
    description: "The handoff from the monitor's contract (handoffs.yaml); its completion SLA is the claim's lease",
  }),
  {
    displayName: 'Key Source',
    name: 'keySource',
    type: 'options',
    options: [
      {
        name: 'Field',
        value: 'field',
        description: 'Read the key from a field of the item (fast: no expression per item)',
      },
      { name: 'Expression', value: 'expression', description: 'Compute the key with an expression per item' },
    ],
    default: 'field',
  },
  {
    displayName: 'Key Field',
    name: 'keyField',
    type: 'string',
    default: 'dealId',
    placeholder: 'e.g. deal.number',
    required: true,
    description: 'Path of the field that identifies the object, e.g. dealId or deal.number',
    displayOptions: { show: { keySource: ['field'] } },
  },
  {
    displayName: 'Key',
    name: 'key',
    type: 'string',
    default: '={{ $json.dealId }}',
    required: true,
    description: 'Expression giving the idempotency key of each item',
    hint: 'e.g. {{ $json.dealId }}-kickoff',
    displayOptions: { show: { keySource: ['expression'] } },
  },
  {
    displayName: 'Fingerprint Fields',
    name: 'fingerprintFields',
    type: 'string',
    default: '',
    placeholder: 'e.g. amount, client.name',
    description:
      'Comma-separated fields whose values define "the same request". A known key arriving with different values goes to Conflict. Use * for the whole item, leave empty to compare keys only.',
    displayOptions: { show: { operation: ['claim'] } },
  },
  {
    displayName: 'Lease (Seconds)',
    name: 'leaseSeconds',
    type: 'number',
    typeOptions: { minValue: 0, maxValue: 604800 },
    default: 0,
    description:
      "How long a claim blocks other executions before it counts as stalled and may be retried. 0 uses the handoff's completion SLA from the contract.",
    displayOptions: { show: { operation: ['claim'] } },
  },
  {
    displayName: 'Reason',
    name: 'reason',
    type: 'string',
    default: '',
    description: 'Why the keys are completed or released; stored in the ledger for the trace',
    displayOptions: { show: { operation: ['complete', 'release'] } },
  },
  {
    displayName: 'If Monitor Unreachable',
    name: 'onMonitorUnreachable',
    type: 'options',
    options: [
      {
        name: 'Fail the Node',
        value: 'fail',
        description: 'Stop: nothing is claimed, so nothing may go ahead (safe default)',
      },
      {
        name: 'Let Items Through',
        value: 'passThrough',
        description: 'Send every item to New marked "unverified": keeps the flow moving, but duplicates become possible',
      },
    ],
    default: 'fail',
    displayOptions: { show: { operation: ['claim'] } },
  },
  {
    displayName: GATE_PASS_THROUGH_RISK,
    name: 'passThroughNotice',
    type: 'notice',
    default: '',
    displayOptions: { show: { operation: ['claim'], onMonitorUnreachable: ['passThrough'] } },
  },
];
