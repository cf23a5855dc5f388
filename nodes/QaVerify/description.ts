/** QA Verify's parameters as ops staff see them in the editor. */
import type { INodeProperties } from 'n8n-workflow';
import { checkpointHandoffProperties } from '../shared/checkpoints';
import { PICKER_SINCE } from '../shared/handoff-picker';

export const OUTPUT = { pass: 0, fail: 1 } as const;

const compare = { show: { mode: ['compare'] } };
const reconcileOnly = { show: { mode: ['reconcile'] } };

export const qaProperties: INodeProperties[] = [
  {
    displayName: 'Mode',
    name: 'mode',
    type: 'options',
    noDataExpression: true,
    options: [
      { name: 'Compare', value: 'compare', description: 'Each item against the record read back from the target' },
      { name: 'Reconcile', value: 'reconcile', description: 'All items (source) against a list from the target, matched by key' },
    ],
    default: 'compare',
  },
  {
    displayName: 'Target Record From',
    name: 'targetSource',
    type: 'options',
    options: [
      { name: 'A Field of the Item', value: 'field', description: 'E.g. after a Merge that put the read-back under "target" (fast).' },
      { name: 'An Expression', value: 'expression', description: "E.g. the matching item of a Read Back node, via $('Read Back').item (evaluated per item)." },
    ],
    default: 'field',
    displayOptions: compare,
  },
  { displayName: 'Target Field', name: 'targetField', type: 'string', default: 'target', description: 'Path of the field holding the record read back from the target', displayOptions: { show: { mode: ['compare'], targetSource: ['field'] } } },
  {
    displayName: 'Target Record',
    name: 'targetRecord',
    type: 'json',
    default: "={{ $('Read Back').item.json }}",
    description: 'The record read back from the target for this item',
    displayOptions: { show: { mode: ['compare'], targetSource: ['expression'] } },
  },
  {
    displayName: 'Target Records',
    name: 'targetRecords',
    type: 'json',
    default: "={{ $('Read Target').all().map(item => item.json) }}",
    description: 'The list of records in the target. Evaluated once per run.',
    displayOptions: reconcileOnly,
  },
  { displayName: 'Source Key', name: 'sourceKey', type: 'string', default: 'dealId', description: 'Path of the ID in each source item', displayOptions: reconcileOnly },
  { displayName: 'Target Key', name: 'targetKey', type: 'string', default: '', placeholder: 'e.g. externalId', description: 'Path of the same ID in target records; leave empty if it is the same as Source Key', displayOptions: reconcileOnly },
  {
    displayName: 'Fields to Compare',
    name: 'fields',
    type: 'fixedCollection',
    typeOptions: { multipleValues: true },
    placeholder: 'Add Field',
    default: {},
    options: [
      {
        displayName: 'Field',
        name: 'field',
        values: [
          { displayName: 'Source Field', name: 'source', type: 'string', default: '', placeholder: 'e.g. amount' },
          { displayName: 'Target Field', name: 'target', type: 'string', default: '', placeholder: 'e.g. budget', description: 'Leave empty when the target uses the same path' },
        ],
      },
    ],
  },
  { displayName: 'Required in Target', name: 'required', type: 'string', default: '', placeholder: 'e.g. handoffId, owner, idempotencyKey', description: 'Comma-separated fields the target record must have, e.g. the ownership metadata', displayOptions: compare },
  { displayName: 'Checksum Fields', name: 'checksumFields', type: 'string', default: '', placeholder: 'e.g. title, amount, client.email', description: 'Comma-separated fields hashed on both sides; the hashes must match', displayOptions: compare },
  { displayName: 'Target Checksum Field', name: 'targetChecksumField', type: 'string', default: '', description: 'If the target stores a checksum it computed, its path; compared with the hash of the source', displayOptions: compare },
  { displayName: 'Source Version Field', name: 'versionSource', type: 'string', default: '', placeholder: 'e.g. revision', description: 'If set, the target must hold the same version', displayOptions: compare },
  { displayName: 'Target Version Field', name: 'versionTarget', type: 'string', default: '', description: 'Leave empty when the target uses the same path', displayOptions: compare },
  {
    displayName: 'Tolerance',
    name: 'tolerance',
    type: 'collection',
    placeholder: 'Add Tolerance',
    default: {},
    displayOptions: reconcileOnly,
    options: [
      { displayName: 'Unit', name: 'unit', type: 'options', options: [{ name: 'Records', value: 'count' }, { name: 'Percent of Source', value: 'percent' }], default: 'count' },
      { displayName: 'Missing Allowed', name: 'missing', type: 'number', typeOptions: { minValue: 0 }, default: 0, description: 'Source records absent from the target that still pass' },
      { displayName: 'Unexpected Allowed', name: 'unexpected', type: 'number', typeOptions: { minValue: 0 }, default: 0, description: 'Target records with no source record that still pass' },
      { displayName: 'Different Allowed', name: 'mismatched', type: 'number', typeOptions: { minValue: 0 }, default: 0, description: 'Matched records with different fields that still pass' },
    ],
  },
  {
    displayName: 'Normalisation',
    name: 'normalise',
    type: 'collection',
    placeholder: 'Change Normalisation',
    default: {},
    options: [
      { displayName: 'Dates as Moments', name: 'dates', type: 'boolean', default: true, description: 'Whether date-times with a time zone compare as the same moment in any zone' },
      { displayName: 'Empty as Missing', name: 'emptyAsMissing', type: 'boolean', default: true, description: 'Whether absent, null and empty text count as the same' },
      { displayName: 'Ignore Case', name: 'ignoreCase', type: 'boolean', default: false, description: 'Whether "ACME" equals "acme"' },
      { displayName: 'Numbers as Text Match', name: 'numbers', type: 'boolean', default: true, description: 'Whether "12000.00" equals 12000' },
      { displayName: 'Trim Spaces', name: 'trim', type: 'boolean', default: true, description: 'Whether spaces around text are ignored' },
    ],
  },
  ...checkpointHandoffProperties(PICKER_SINCE.qaVerify),
  { displayName: 'Key Field', name: 'keyField', type: 'string', default: 'dealId', description: 'Path of the field with the handoff key, so checkpoints attach to the right handoff', displayOptions: compare },
];
