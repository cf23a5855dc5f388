/** Preflight Validate's parameters as ops staff see them in the editor. */
import type { INodeProperties } from 'n8n-workflow';
import { RULE_FORMATS } from '../shared/validation/field-rules';
import { checkpointHandoffProperties } from '../shared/checkpoints';
import { PICKER_SINCE } from '../shared/handoff-picker';

export const OUTPUT = { valid: 0, invalid: 1 } as const;

const EXAMPLE_SCHEMA = JSON.stringify(
  {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    required: ['dealId', 'client', 'amount'],
    properties: {
      dealId: { type: 'string', minLength: 1 },
      client: {
        type: 'object',
        required: ['name', 'email'],
        properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } },
      },
      amount: { type: 'number', minimum: 0 },
    },
  },
  null,
  2,
);

const FORMAT_OPTIONS = RULE_FORMATS.map((f) => ({ name: f, value: f }));

const ruleFields: INodeProperties[] = [
  {
    displayName: 'Field',
    name: 'field',
    type: 'string',
    default: '',
    placeholder: 'e.g. client.email',
    description: 'Path of the field to check, e.g. dealId, client.email or lines[0].sku',
  },
  {
    displayName: 'Check',
    name: 'check',
    type: 'options',
    options: [
      { name: 'Allowed Values', value: 'enum', description: 'The value must be one of a list' },
      { name: 'Format', value: 'format', description: 'The text must be an email, date, URL…' },
      { name: 'Max Length', value: 'maxLength', description: 'Text at most this many characters, a list at most this many entries' },
      { name: 'Maximum', value: 'max', description: 'The number must be at most the limit' },
      { name: 'Min Length', value: 'minLength', description: 'Text at least this many characters, a list at least this many entries' },
      { name: 'Minimum', value: 'min', description: 'The number must be at least the limit' },
      { name: 'Pattern', value: 'pattern', description: 'The text must match a regular expression' },
      { name: 'Required', value: 'required', description: 'The field must be present and not empty' },
      { name: 'Type', value: 'type', description: 'The value must be text, a number, a list…' },
    ],
    default: 'required',
  },
  {
    displayName: 'Type',
    name: 'type',
    type: 'options',
    options: [
      { name: 'Boolean (True/False)', value: 'boolean' },
      { name: 'List', value: 'array' },
      { name: 'Number', value: 'number' },
      { name: 'Object', value: 'object' },
      { name: 'Text', value: 'string' },
      { name: 'Whole Number', value: 'integer' },
    ],
    default: 'string',
    displayOptions: { show: { check: ['type'] } },
  },
  {
    displayName: 'Format',
    name: 'format',
    type: 'options',
    options: FORMAT_OPTIONS,
    default: 'email',
    displayOptions: { show: { check: ['format'] } },
  },
  {
    displayName: 'Allowed Values',
    name: 'values',
    type: 'string',
    default: '',
    placeholder: 'e.g. closed-won, closed-lost',
    description: 'The values allowed, separated by commas',
    displayOptions: { show: { check: ['enum'] } },
  },
  {
    displayName: 'Limit',
    name: 'threshold',
    type: 'number',
    default: 0,
    description: 'The bound the check compares with: the smallest or largest number, or the fewest or most characters or entries',
    displayOptions: { show: { check: ['min', 'max', 'minLength', 'maxLength'] } },
  },
  {
    displayName: 'Pattern',
    name: 'pattern',
    type: 'string',
    default: '',
    placeholder: 'e.g. ^D-[0-9]+$',
    description: 'A regular expression the text must match',
    displayOptions: { show: { check: ['pattern'] } },
  },
];

const referenceFields: INodeProperties[] = [
  {
    displayName: 'Field',
    name: 'field',
    type: 'string',
    default: '',
    placeholder: 'e.g. clientId',
    description: 'Path of the field whose value must be a known ID (a list of IDs is checked entry by entry)',
  },
  {
    displayName: 'Known Values From',
    name: 'listSource',
    type: 'options',
    options: [
      { name: 'A List (Expression)', value: 'list', description: 'One list for the whole run, e.g. IDs fetched by an earlier node' },
      { name: 'A Field of Each Item', value: 'field', description: 'Each item carries its own list of known IDs' },
    ],
    default: 'list',
  },
  {
    displayName: 'Allowed Values',
    name: 'allowedValues',
    type: 'string',
    default: '',
    placeholder: "e.g. {{ $('Get Clients').all().map(item => item.json.clientId) }}",
    description: 'A list of known IDs, or IDs separated by commas. Evaluated once per run, not per item.',
    displayOptions: { show: { listSource: ['list'] } },
  },
  {
    displayName: 'List Field',
    name: 'listField',
    type: 'string',
    default: '',
    placeholder: 'e.g. knownClientIds',
    description: 'Path of the field of each item that holds the known IDs',
    displayOptions: { show: { listSource: ['field'] } },
  },
  {
    displayName: 'ID Field in List Entries',
    name: 'valueField',
    type: 'string',
    default: '',
    placeholder: 'e.g. clientId',
    description: 'When the list holds records instead of plain IDs: the field with the ID in each record. Leave empty for plain IDs.',
  },
];

export const preflightProperties: INodeProperties[] = [
  {
    displayName: 'Validate With',
    name: 'mode',
    type: 'options',
    noDataExpression: true,
    options: [
      { name: 'JSON Schema', value: 'schema', description: 'A JSON Schema (draft 2020-12, 2019-09 or 7)' },
      { name: 'Field Rules', value: 'rules', description: 'Simple rules per field, no schema needed' },
    ],
    default: 'schema',
  },
  {
    displayName: 'Schema Source',
    name: 'schemaSource',
    type: 'options',
    noDataExpression: true,
    options: [
      { name: 'Parameter', value: 'parameter', description: 'The schema below (may be an expression reading an earlier node)' },
      { name: 'Field of Each Item', value: 'field', description: 'Each item carries the schema it must match' },
    ],
    default: 'parameter',
    displayOptions: { show: { mode: ['schema'] } },
  },
  {
    displayName: 'Schema',
    name: 'schema',
    type: 'json',
    default: EXAMPLE_SCHEMA,
    description:
      "The JSON Schema every item must match. To use a schema from an earlier node, use an expression that reads it from that node's first item, e.g. with $('Get Schema').first() — it is read once per run.",
    displayOptions: { show: { mode: ['schema'], schemaSource: ['parameter'] } },
  },
  {
    displayName: 'Schema Field',
    name: 'schemaField',
    type: 'string',
    default: 'schema',
    description: 'Path of the field holding the schema (an object, or its JSON text)',
    displayOptions: { show: { mode: ['schema'], schemaSource: ['field'] } },
  },
  {
    displayName: 'Default Draft',
    name: 'draft',
    type: 'options',
    options: [
      { name: '2020-12', value: '2020-12' },
      { name: '2019-09', value: '2019-09' },
      { name: 'Draft 7', value: '7' },
    ],
    default: '2020-12',
    description: 'Used when the schema has no "$schema"; a schema that names its draft is read as that draft',
    displayOptions: { show: { mode: ['schema'] } },
  },
  {
    displayName: 'Rules',
    name: 'rules',
    type: 'fixedCollection',
    typeOptions: { multipleValues: true, sortable: true },
    placeholder: 'Add Rule',
    default: {},
    description: 'Every rule must hold for an item to be valid. Checks other than Required skip fields that are absent.',
    options: [{ displayName: 'Rule', name: 'rule', values: ruleFields }],
    displayOptions: { show: { mode: ['rules'] } },
  },
  {
    displayName: 'Reference Checks',
    name: 'references',
    type: 'fixedCollection',
    typeOptions: { multipleValues: true },
    placeholder: 'Add Reference Check',
    default: {},
    description: 'A field must hold an ID that exists elsewhere, e.g. a client ID among the clients fetched earlier',
    options: [{ displayName: 'Reference Check', name: 'reference', values: referenceFields }],
  },
  ...checkpointHandoffProperties(PICKER_SINCE.preflightValidate),
  {
    displayName: 'Key Field',
    name: 'keyField',
    type: 'string',
    default: 'dealId',
    description: 'Path of the field with the handoff key (e.g. dealId), so checkpoints attach to the right handoff',
  },
];
