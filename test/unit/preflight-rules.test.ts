// Field rules and reference checks: every check as a table of value → verdict and sentence.
import { compileFieldRules, RuleProblem, type FieldRuleConfig } from '../../nodes/shared/validation/field-rules';
import { compileReferenceRules, ReferenceProblem, referenceKey, toAllowedSet } from '../../nodes/shared/validation/reference';

const check = (rule: FieldRuleConfig, json: Record<string, unknown>) =>
  compileFieldRules([rule])
    .check(json)
    .map((p) => p.message);

describe('field rules', () => {
  it.each<[string, FieldRuleConfig, Record<string, unknown>, string[]]>([
    ['required: present', { field: 'dealId', check: 'required' }, { dealId: 'D-1' }, []],
    ['required: absent', { field: 'dealId', check: 'required' }, {}, ['Field "dealId" is required but missing.']],
    ['required: blank text', { field: 'dealId', check: 'required' }, { dealId: '  ' }, ['Field "dealId" is required but empty.']],
    ['required: null', { field: 'dealId', check: 'required' }, { dealId: null }, ['Field "dealId" is required but empty.']],
    [
      'required: nested path',
      { field: 'client.email', check: 'required' },
      { client: {} },
      ['Field "client.email" is required but missing.'],
    ],
    ['type number: ok', { field: 'amount', check: 'type', type: 'number' }, { amount: 1.5 }, []],
    [
      'type number: text',
      { field: 'amount', check: 'type', type: 'number' },
      { amount: '12' },
      ['Field "amount" must be a number, but it is text ("12").'],
    ],
    [
      'type integer: fraction',
      { field: 'qty', check: 'type', type: 'integer' },
      { qty: 1.5 },
      ['Field "qty" must be a whole number, but it is the number 1.5.'],
    ],
    [
      'type array: object',
      { field: 'tags', check: 'type', type: 'array' },
      { tags: {} },
      ['Field "tags" must be a list, but it is an object.'],
    ],
    ['type: absent is not checked', { field: 'amount', check: 'type', type: 'number' }, {}, []],
    ['format email: ok', { field: 'e', check: 'format', format: 'email' }, { e: 'a@b.co' }, []],
    [
      'format email: bad',
      { field: 'e', check: 'format', format: 'email' },
      { e: 'a@' },
      ['Field "e" must be an email address, but it is "a@".'],
    ],
    [
      'format date: bad',
      { field: 'd', check: 'format', format: 'date' },
      { d: '2026-02-30' },
      ['Field "d" must be a date like 2026-01-31, but it is "2026-02-30".'],
    ],
    [
      'format uuid: number',
      { field: 'u', check: 'format', format: 'uuid' },
      { u: 5 },
      [expect.stringContaining('must be a UUID') as unknown as string],
    ],
    ['enum: ok (trimmed)', { field: 's', check: 'enum', values: 'won, lost' }, { s: 'lost ' }, []],
    ['enum: number as text', { field: 'n', check: 'enum', values: '1, 2' }, { n: 2 }, []],
    [
      'enum: bad',
      { field: 's', check: 'enum', values: 'won, lost' },
      { s: 'open' },
      ['Field "s" must be one of: "won", "lost" (it is "open").'],
    ],
    ['min: ok at limit', { field: 'a', check: 'min', threshold: 0 }, { a: 0 }, []],
    ['min: below', { field: 'a', check: 'min', threshold: 0 }, { a: -1 }, ['Field "a" must be at least 0 (it is -1).']],
    ['max: above', { field: 'a', check: 'max', threshold: 10 }, { a: 11 }, ['Field "a" must be at most 10 (it is 11).']],
    [
      'min: not a number',
      { field: 'a', check: 'min', threshold: 0 },
      { a: '5' },
      ['Field "a" must be a number at least 0, but it is text ("5").'],
    ],
    [
      'minLength: text',
      { field: 'n', check: 'minLength', threshold: 2 },
      { n: 'a' },
      ['Field "n" must have at least 2 characters (it has 1).'],
    ],
    [
      'maxLength: list',
      { field: 'l', check: 'maxLength', threshold: 1 },
      { l: [1, 2] },
      ['Field "l" must have at most 1 entry (it has 2).'],
    ],
    ['pattern: ok', { field: 'id', check: 'pattern', pattern: '^D-[0-9]+$' }, { id: 'D-12' }, []],
    ['pattern: number converted', { field: 'id', check: 'pattern', pattern: '^[0-9]+$' }, { id: 42 }, []],
    [
      'pattern: bad',
      { field: 'id', check: 'pattern', pattern: '^D-[0-9]+$' },
      { id: 'X' },
      ['Field "id" must match the pattern ^D-[0-9]+$ (it is "X").'],
    ],
    [
      'list index path',
      { field: 'lines[1].sku', check: 'required' },
      { lines: [{ sku: 'a' }, {}] },
      ['Field "lines[1].sku" is required but missing.'],
    ],
  ])('%s', (_name, rule, json, expected) => {
    expect(check(rule, json)).toEqual(expected);
  });

  it('reports pointer, field, rule and the value (masked under a secret-named field)', () => {
    const rules = compileFieldRules([
      { field: 'client.email', check: 'format', format: 'email' },
      { field: 'apiToken', check: 'pattern', pattern: '^x' },
    ]);
    expect(rules.check({ client: { email: 'nope' }, apiToken: 'sk-live-123456' })).toEqual([
      {
        pointer: '/client/email',
        field: 'client.email',
        rule: 'format',
        message: 'Field "client.email" must be an email address, but it is "nope".',
        value: 'nope',
      },
      {
        pointer: '/apiToken',
        field: 'apiToken',
        rule: 'pattern',
        message: 'Field "apiToken" must match the pattern ^x (it is "[redacted]").',
        value: '[redacted]',
      },
    ]);
  });

  it('truncates long offending values', () => {
    const [problem] = compileFieldRules([{ field: 'n', check: 'maxLength', threshold: 3 }]).check({ n: 'x'.repeat(500) });
    expect(String(problem.value)).toMatch(/^x{80}… \[500 chars\]$/);
  });

  it.each<[string, FieldRuleConfig, RegExp]>([
    ['no field', { check: 'required' }, /Rule 1: has no field/],
    ['bad pattern', { field: 'a', check: 'pattern', pattern: '(' }, /not a valid regular expression/],
    ['unknown format', { field: 'a', check: 'format', format: 'emial' }, /"emial" is not a format/],
    ['empty allowed values', { field: 'a', check: 'enum', values: ' , ' }, /"Allowed Values" is empty/],
    ['limit missing', { field: 'a', check: 'min', threshold: undefined }, /"Limit" is not a number/],
  ])('refuses a broken rule before any item: %s', (_name, rule, message) => {
    expect(() => compileFieldRules([rule])).toThrow(RuleProblem);
    expect(() => compileFieldRules([rule])).toThrow(message);
  });
});

describe('reference checks', () => {
  it.each<[unknown, string]>([
    [' C-1 ', 'C-1'],
    [42, '42'],
    [true, 'true'],
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
  ])('compares %p as %p', (value, key) => expect(referenceKey(value)).toBe(key));

  it.each<[string, unknown, string, string[] | RegExp]>([
    ['a list of ids', ['C-1', 2], '', ['C-1', '2']],
    ['comma text', 'C-1, C-2', '', ['C-1', 'C-2']],
    ['JSON text', '["C-1"]', '', ['C-1']],
    ['records with an id field', [{ id: 'C-1' }, { id: 'C-2' }, {}], 'id', ['C-1', 'C-2']],
    ['an object', { a: 1 }, '', /an object, not a list/],
    ['nothing', undefined, '', /empty, not a list/],
    ['broken JSON', '[1,', '', /not valid JSON/],
  ])('builds the known set from %s', (_name, raw, valueField, expected) => {
    const set = toAllowedSet(raw, valueField);
    if (expected instanceof RegExp) expect((set as { problem: string }).problem).toMatch(expected);
    else expect([...(set as Set<string>)]).toEqual(expected);
  });

  it('flags unknown ids, checks lists entry by entry and skips absent values', () => {
    const rules = compileReferenceRules([
      { field: 'clientId', listSource: 'list', allowedValues: ['C-1', 'C-2'] },
      { field: 'tagIds', listSource: 'field', listField: 'knownTags' },
    ]);
    expect(rules.check({ clientId: 'C-1', tagIds: [1], knownTags: [1, 2] })).toEqual([]);
    expect(rules.check({ knownTags: [] })).toEqual([]);
    expect(rules.check({ clientId: 'C-9', tagIds: [1, 3, 4], knownTags: [1] })).toEqual([
      {
        pointer: '/clientId',
        field: 'clientId',
        rule: 'reference',
        message: 'Field "clientId" is "C-9", which is not among the 2 known values.',
        value: 'C-9',
      },
      {
        pointer: '/tagIds',
        field: 'tagIds',
        rule: 'reference',
        message: 'Field "tagIds" contains 2 values (3, 4) not among the list in "knownTags".',
        value: [3, 4],
      },
    ]);
  });

  it('treats an item without its list as an error of that item, and a bad fixed list as a configuration error', () => {
    const perItem = compileReferenceRules([{ field: 'a', listSource: 'field', listField: 'known' }]);
    expect(() => perItem.check({ a: 1 })).toThrow(ReferenceProblem);
    expect(() => compileReferenceRules([{ field: 'a', listSource: 'list', allowedValues: 7 }])).toThrow(
      /Reference check 1: "Allowed Values" for "a" is number, not a list/,
    );
  });
});
