/** The Exception Router's parameters as ops staff see them in the editor. */
import type { INodeOutputConfiguration, INodeParameters, INodeProperties, NodeHint } from 'n8n-workflow';
import { beforeVersion, handoffPicker, PICKER_SINCE } from '../shared/handoff-picker';

/**
 * One output per routing rule plus the fallback, like Switch V3. n8n evaluates this function's
 * source in the editor, so it must be self-contained (no imports, no helpers).
 */
export function routerOutputs(parameters: INodeParameters): INodeOutputConfiguration[] {
  const rules = ((parameters.rules as { values?: { outputName?: string }[] } | undefined)?.values ?? []) as { outputName?: string }[];
  const options = (parameters.options ?? {}) as { fallbackOutputName?: string };
  const outputs: INodeOutputConfiguration[] = rules.map((rule, index) => ({
    type: 'main',
    displayName: rule.outputName ? String(rule.outputName) : `Rule ${index + 1}`,
  }));
  outputs.push({ type: 'main', displayName: options.fallbackOutputName ? String(options.fallbackOutputName) : 'Fallback' });
  return outputs;
}

/** When the direct notification posts; `opened` needs Record Incident in Monitor (without it, every item posts). */
export type NotifyOn = 'every' | 'opened';

/** The default of "Notify On" for a node of this version: what a saved node without the field means. */
export const defaultNotifyOn = (typeVersion: number): NotifyOn => (typeVersion >= 1.1 ? 'opened' : 'every');

const NOTIFY_ON_OPTIONS = [
  { name: 'Every Failure', value: 'every', description: 'Post for every failing item, repeats of an open incident included' },
  {
    name: 'New Incident Only',
    value: 'opened',
    description: 'Post when the monitor opens the incident; a repeat while it is open (the monitor answers deduplicated) posts nothing',
  },
];

/** What the Router needs, said on the node before it runs (this notice; a shorter hint in the output pane). */
export const ROUTER_NEEDS_MONITOR =
  "Needs the Handoff Guard monitor: it records the incident, names the owner from handoffs.yaml and alerts them, and takes back the Gate's claim. If the monitor cannot be reached, the item fails here (see Settings → On Error) instead of becoming an incident.";

export const routerHints: NodeHint[] = [
  {
    message: 'Needs the Handoff Guard monitor running: the incident is recorded there and the owner alerted.',
    type: 'info',
    location: 'outputPane',
    whenToDisplay: 'beforeExecution',
  },
];

export const routerProperties: INodeProperties[] = [
  {
    displayName: ROUTER_NEEDS_MONITOR,
    name: 'monitorNotice',
    type: 'notice',
    default: '',
  },
  // Versions 1 and 1.1 saved the handoff as a dropdown's plain string; they keep that field (readHandoff reads both).
  {
    displayName: 'Handoff Name or ID',
    name: 'handoff',
    type: 'options',
    typeOptions: { loadOptionsMethod: 'getHandoffs' },
    default: '',
    description:
      'The handoff that failed, from the monitor\'s contract. Leave empty to take it from the item (_handoff.handoff, set by the Idempotency Gate). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
    displayOptions: beforeVersion(PICKER_SINCE.exceptionRouter),
  },
  handoffPicker({
    required: false,
    since: PICKER_SINCE.exceptionRouter,
    description:
      "The handoff that failed, from the monitor's contract. Leave empty to take it from the item (_handoff.handoff, set by the Idempotency Gate).",
  }),
  {
    displayName: 'Severity',
    name: 'severity',
    type: 'options',
    options: [
      { name: 'Low', value: 'low' },
      { name: 'Medium', value: 'medium' },
      { name: 'High', value: 'high' },
      { name: 'Critical', value: 'critical' },
    ],
    default: 'high',
    description: 'How urgent the incident is; a repeat can raise it, never lower it',
  },
  {
    displayName: 'Routing Rules',
    name: 'rules',
    placeholder: 'Add Routing Rule',
    type: 'fixedCollection',
    typeOptions: { multipleValues: true, sortable: true },
    default: {},
    description: 'Each rule is an output; the first rule that matches gets the item, the rest go to the fallback output',
    options: [
      {
        name: 'values',
        displayName: 'Rule',
        values: [
          {
            displayName: 'Output Name',
            name: 'outputName',
            type: 'string',
            default: '',
            placeholder: 'e.g. Sales ops',
            description: "Label of this rule's output on the canvas",
          },
          {
            displayName: 'Field',
            name: 'field',
            type: 'options',
            options: [
              { name: 'Error Message', value: 'errorMessage' },
              { name: 'Failed Node', value: 'node' },
              {
                name: 'Failure Kind',
                value: 'kind',
                description: 'Kinds such as request_failed, invalid, qa_failed, node_error, workflow_error',
              },
              { name: 'Handoff', value: 'handoff' },
              { name: 'Severity', value: 'severity' },
            ],
            default: 'kind',
          },
          {
            displayName: 'Operation',
            name: 'operation',
            type: 'options',
            noDataExpression: true,
            options: [
              { name: 'Contains', value: 'contains' },
              { name: 'Equals', value: 'equals' },
              { name: 'Matches Regex', value: 'regex' },
              { name: 'Not Equals', value: 'notEquals' },
              { name: 'Starts With', value: 'startsWith' },
            ],
            default: 'equals',
          },
          {
            displayName: 'Value',
            name: 'value',
            type: 'string',
            default: '',
            placeholder: 'e.g. invalid',
            description: 'Compared without regard to case',
          },
        ],
      },
    ],
  },
  {
    displayName: 'Record Incident in Monitor',
    name: 'recordIncident',
    type: 'boolean',
    default: true,
    description: 'Whether to open (or update) the incident in the monitor, which assigns the owner and starts the SLA clock',
  },
  {
    displayName: 'Release Idempotency Claim',
    name: 'releaseClaim',
    type: 'boolean',
    default: true,
    description: "Whether to give the Idempotency Gate's claim back (items with _handoff.key), so a retry can run",
  },
  {
    displayName: 'Notify Directly',
    name: 'notify',
    type: 'options',
    options: [
      { name: 'No', value: 'none', description: 'The monitor alerts the owner (recommended)' },
      {
        name: 'Slack-Compatible Webhook',
        value: 'slack',
        description: 'Post {text} to a Slack, Mattermost or Rocket.Chat incoming webhook',
      },
      { name: 'Generic Webhook', value: 'webhook', description: 'Post the incident as JSON' },
    ],
    default: 'none',
    description:
      'A second destination, such as the ops channel. The monitor already alerts the owner (HANDOFF_ALERT_WEBHOOK_URL), so do not point this at the same channel, or the owner hears about every incident twice.',
  },
  // Version 1 posted for every item, repeats of an open incident included. 1.1 posts once per
  // incident. Two definitions so each version keeps its own default: n8n saves only values that
  // differ from the default, so a saved version-1 node without the field keeps posting repeats.
  {
    displayName: 'Notify On',
    name: 'notifyOn',
    type: 'options',
    options: NOTIFY_ON_OPTIONS,
    default: 'every',
    displayOptions: { show: { notify: ['slack', 'webhook'], '@version': [1] } },
  },
  {
    displayName: 'Notify On',
    name: 'notifyOn',
    type: 'options',
    options: NOTIFY_ON_OPTIONS,
    default: 'opened',
    displayOptions: { show: { notify: ['slack', 'webhook'], '@version': [{ _cnd: { gte: 1.1 } }] } },
  },
  {
    displayName: 'Webhook URL',
    name: 'notifyUrl',
    type: 'string',
    typeOptions: { password: true },
    default: '',
    required: true,
    placeholder: 'e.g. https://hooks.slack.com/services/…',
    description: 'Where to post the notification. The URL is a secret: anyone holding it can post.',
    displayOptions: { show: { notify: ['slack', 'webhook'] } },
  },
  {
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    options: [
      {
        displayName: 'Dedup Key',
        name: 'dedupKey',
        type: 'string',
        default: '',
        description: 'Failures with the same key are one incident while it is open. Default: handoff, failure kind and idempotency key.',
      },
      {
        displayName: 'Failure Kind',
        name: 'kind',
        type: 'string',
        default: '',
        placeholder: 'e.g. request_failed',
        description: "Overrides the kind read from the item; the contract's routes pick the owner by it",
      },
      {
        displayName: 'Fallback Output Name',
        name: 'fallbackOutputName',
        type: 'string',
        default: 'Fallback',
        description: 'Label of the output for items no rule matched',
      },
      {
        displayName: 'Notification Attempts',
        name: 'notifyAttempts',
        type: 'number',
        typeOptions: { minValue: 1, maxValue: 10 },
        default: 3,
        description: 'Tries for the direct notification (network errors, 5xx and 429 are retried with backoff)',
      },
      {
        displayName: 'Owner Channel',
        name: 'ownerChannel',
        type: 'string',
        default: '',
        placeholder: 'e.g. #delivery-ops',
        description: 'Channel of the owner set in Owner Name',
      },
      {
        displayName: 'Owner Name',
        name: 'ownerName',
        type: 'string',
        default: '',
        description: 'Overrides the owner from the contract',
      },
      {
        displayName: 'Sample Size (Characters)',
        name: 'sampleMaxChars',
        type: 'number',
        typeOptions: { minValue: 100, maxValue: 16000 },
        default: 2000,
        description: 'Largest payload sample sent with the incident, after secrets are redacted',
      },
      {
        displayName: 'SLA (Hours)',
        name: 'slaHours',
        type: 'number',
        typeOptions: { minValue: 0 },
        default: 0,
        description: "Time to resolve before escalation; 0 uses the handoff's exceptionSla from the contract (default 48h)",
      },
      {
        displayName: 'Title',
        name: 'title',
        type: 'string',
        default: '',
        description: 'First line of the incident; default: kind, node and error message',
      },
    ],
  },
];
