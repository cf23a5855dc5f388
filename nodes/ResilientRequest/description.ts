/** The Resilient Request's parameters as ops staff see them in the editor. */
import type { INodeProperties, NodeHint } from 'n8n-workflow';

export const OUTPUT = { success: 0, failed: 1 } as const;
export const OUTPUT_NAMES = ['Success', 'Failed'];

/** Per attempt; a hung target must not eat the whole budget in one attempt. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 30_000;

/** Where the Idempotency Gate puts the key it claimed (`_handoff: { key, … }`). */
export const GATE_KEY_FIELD = '_handoff.key';

export const AUTHENTICATION = { none: 'none', token: 'handoffTokenAuthApi', basic: 'handoffBasicAuthApi' } as const;

/** The risk of sending a create without a key, said on the node before it runs (notice and hint). */
export const UNKEYED_NEVER_RETRIED =
  'Without an Idempotency-Key a POST or PATCH is never retried: the target may have acted on a failed attempt, and a retry could create a duplicate. A failure goes straight to Failed. Send the key (an Idempotency Gate before this node supplies one) to get retries.';

export const requestHints: NodeHint[] = [
  {
    message: 'A POST or PATCH without an Idempotency-Key is never retried: a failure goes straight to Failed.',
    type: 'warning',
    location: 'ndv',
    whenToDisplay: 'always',
    displayCondition: '={{ ["POST", "PATCH"].includes($parameter["method"]) && $parameter["keySource"] === "none" }}',
  },
];

export const requestProperties: INodeProperties[] = [
  {
    displayName: 'Method',
    name: 'method',
    type: 'options',
    options: ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'].map((m) => ({ name: m, value: m })),
    default: 'POST',
    description:
      'HTTP method. POST and PATCH are only retried when an Idempotency-Key is sent, because the target may already have acted on a failed attempt.',
  },
  {
    displayName: 'URL',
    name: 'url',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'e.g. https://tasks.example.com/api/projects',
    description: 'Where to send the request',
  },
  {
    displayName: 'Authentication',
    name: 'authentication',
    type: 'options',
    options: [
      { name: 'None', value: AUTHENTICATION.none },
      { name: 'Header Token', value: AUTHENTICATION.token, description: 'A token in a header you name, e.g. Authorization: Bearer …' },
      { name: 'Basic Auth', value: AUTHENTICATION.basic, description: 'User name and password' },
    ],
    default: 'none',
  },
  {
    displayName: 'Query Parameters',
    name: 'queryParameters',
    type: 'fixedCollection',
    typeOptions: { multipleValues: true },
    placeholder: 'Add Parameter',
    default: {},
    options: [
      {
        displayName: 'Parameter',
        name: 'parameters',
        values: [
          { displayName: 'Name', name: 'name', type: 'string', default: '' },
          { displayName: 'Value', name: 'value', type: 'string', default: '' },
        ],
      },
    ],
  },
  {
    displayName: 'Headers',
    name: 'headerParameters',
    type: 'fixedCollection',
    typeOptions: { multipleValues: true },
    placeholder: 'Add Header',
    default: {},
    options: [
      {
        displayName: 'Header',
        name: 'parameters',
        values: [
          { displayName: 'Name', name: 'name', type: 'string', default: '' },
          { displayName: 'Value', name: 'value', type: 'string', default: '' },
        ],
      },
    ],
  },
  {
    displayName: 'Send Body',
    name: 'sendBody',
    type: 'boolean',
    default: true,
    displayOptions: { show: { method: ['PATCH', 'POST', 'PUT', 'DELETE'] } },
  },
  {
    displayName: 'Body',
    name: 'bodySource',
    type: 'options',
    options: [
      { name: 'The Input Item', value: 'item', description: "Send each item's JSON as it is (fast: no expression per item)" },
      { name: 'JSON', value: 'json', description: 'Write the body as JSON, with expressions where needed' },
    ],
    default: 'item',
    displayOptions: { show: { method: ['PATCH', 'POST', 'PUT', 'DELETE'], sendBody: [true] } },
  },
  {
    displayName: 'JSON Body',
    name: 'jsonBody',
    type: 'json',
    default: '{}',
    placeholder: 'e.g. { "name": "{{ $json.dealName }}", "dealId": "{{ $json.dealId }}" }',
    description: 'The body, sent as application/JSON',
    displayOptions: { show: { method: ['PATCH', 'POST', 'PUT', 'DELETE'], sendBody: [true], bodySource: ['json'] } },
  },
  {
    displayName: 'Idempotency Key',
    name: 'keySource',
    type: 'options',
    options: [
      { name: 'From a Field', value: 'field', description: 'Read it from the item (fast: no expression per item)' },
      { name: 'From an Expression', value: 'expression', description: 'Compute it per item with an expression' },
      { name: 'Do Not Send', value: 'none', description: 'No Idempotency-Key header: POST and PATCH are then never retried' },
    ],
    default: 'field',
    description: 'The Idempotency-Key header lets the target recognise a retried request, so a retry never creates a duplicate',
  },
  {
    displayName: UNKEYED_NEVER_RETRIED,
    name: 'unkeyedNotice',
    type: 'notice',
    default: '',
    displayOptions: { show: { method: ['POST', 'PATCH'], keySource: ['none'] } },
  },
  {
    displayName: 'Key Field',
    name: 'keyField',
    type: 'string',
    default: GATE_KEY_FIELD,
    placeholder: 'e.g. dealId',
    description: `Path of the field holding the key. The default, ${GATE_KEY_FIELD}, is where an Idempotency Gate before this node puts its key. Items without it are sent without a key.`,
    displayOptions: { show: { keySource: ['field'] } },
  },
  {
    displayName: 'Key',
    name: 'keyExpression',
    type: 'string',
    default: '={{ $json._handoff.key }}',
    description: 'Expression giving the Idempotency-Key of each item',
    hint: 'e.g. {{ $json.dealId }}-kickoff',
    displayOptions: { show: { keySource: ['expression'] } },
  },
  {
    displayName: 'Retry',
    name: 'retry',
    type: 'collection',
    placeholder: 'Change Retry Policy',
    default: {},
    description: 'Only safe failures are retried: server errors (5xx), rate limits (429) and network errors — never another 4xx',
    // Literal defaults (n8n's lint reads them); a unit test holds them equal to DEFAULT_BACKOFF_POLICY.
    options: [
      {
        displayName: 'Base Delay (Milliseconds)',
        name: 'baseDelayMs',
        type: 'number',
        typeOptions: { minValue: 0 },
        default: 1000,
        description: 'Longest wait before the 2nd attempt; it doubles for each attempt after that',
      },
      {
        displayName: 'Full Jitter',
        name: 'fullJitter',
        type: 'boolean',
        default: true,
        description: 'Whether to wait a random time up to the delay, so many failing items do not all retry at the same moment',
      },
      {
        displayName: 'Max Attempts',
        name: 'maxAttempts',
        type: 'number',
        typeOptions: { minValue: 1, maxValue: 20 },
        default: 3,
        description: 'Attempts in total, the first one included',
      },
      {
        displayName: 'Max Delay (Milliseconds)',
        name: 'maxDelayMs',
        type: 'number',
        typeOptions: { minValue: 0 },
        default: 30000,
        description:
          'No computed wait is longer than this. A Retry-After from the server is honoured even when longer, within the total budget.',
      },
      {
        displayName: 'Timeout per Attempt (Milliseconds)',
        name: 'attemptTimeoutMs',
        type: 'number',
        typeOptions: { minValue: 1 },
        default: 30000,
        description: 'An attempt without an answer by then counts as a network failure and may be retried',
      },
      {
        displayName: 'Total Budget (Seconds)',
        name: 'totalBudgetSeconds',
        type: 'number',
        typeOptions: { minValue: 0, numberPrecision: 3 },
        default: 120,
        description: 'Stop retrying an item once this much time has gone by (0: no limit). The item then goes to Failed.',
      },
    ],
  },
];
