// JSON Schema side of Preflight Validate: draft detection, the compile cache, schema mistakes
// reported with their path, and Ajv errors turned into sentences people can act on.
import { detectDraft } from '../../nodes/shared/validation/drafts';
import { fieldLabel, pointerFromSegments, pointerSegments } from '../../nodes/shared/validation/problem';
import { readPointer } from '../../nodes/shared/validation/read-pointer';
import { schemaCheck } from '../../nodes/shared/validation/schema-check';
import { createSchemaCompiler } from '../../nodes/shared/validation/schema-compiler';
import { SchemaProblem } from '../../nodes/shared/validation/schema-problem';

describe('draft detection', () => {
  it.each<[unknown, string]>([
    [{}, '2020-12'],
    [true, '2020-12'],
    [{ $schema: 'https://json-schema.org/draft/2020-12/schema' }, '2020-12'],
    [{ $schema: 'https://json-schema.org/draft/2019-09/schema#' }, '2019-09'],
    [{ $schema: 'http://json-schema.org/draft-07/schema#' }, '7'],
    [{ $schema: 'https://json-schema.org/draft-07/schema' }, '7'],
  ])('%j → %s', (schema, draft) => expect(detectDraft(schema, '2020-12')).toEqual({ draft }));

  it.each([[{ $schema: 'http://json-schema.org/draft-04/schema#' }], [{ $schema: 7 }]])('refuses %j', (schema) => {
    expect(detectDraft(schema, '7')).toEqual({ problem: expect.stringContaining('"$schema"') });
  });
});

describe('pointers and labels', () => {
  it.each<[string, string]>([
    ['', 'the item'],
    ['/dealId', 'dealId'],
    ['/client/email', 'client.email'],
    ['/lines/0/sku', 'lines[0].sku'],
    ['/a~1b/c~0d', 'a/b.c~d'],
  ])('%s reads as %s', (pointer, label) => expect(fieldLabel(pointer)).toBe(label));

  it('round-trips segments and reads values only from own fields', () => {
    expect(pointerSegments(pointerFromSegments(['a/b', 0, '~x']))).toEqual(['a/b', '0', '~x']);
    expect(readPointer({ a: [{ b: 2 }] }, '/a/0/b')).toBe(2);
    expect(readPointer({}, '/toString')).toBeUndefined();
  });
});

describe('schema compiler', () => {
  it('compiles once per content: key order and executions do not matter', () => {
    const compiler = createSchemaCompiler();
    const a = compiler.compile({ type: 'object', required: ['x'] }, '2020-12');
    const b = compiler.compile(JSON.parse('{"required":["x"],"type":"object"}'), '2020-12');
    expect(b).toBe(a);
    expect(compiler.size).toBe(1);
    expect(compiler.compile({ type: 'object', required: ['y'] }, '2020-12')).not.toBe(a);
  });

  it('keeps two different schemas with the same $id apart', () => {
    const compiler = createSchemaCompiler();
    const one = compiler.compile({ $id: 'https://example.com/deal', required: ['a'] }, '2020-12');
    const two = compiler.compile({ $id: 'https://example.com/deal', required: ['b'] }, '2020-12');
    expect([one.validate({ a: 1 }), two.validate({ a: 1 })]).toEqual([true, false]);
  });

  it('uses the draft the schema declares over the default', () => {
    const compiler = createSchemaCompiler();
    // In draft 7, items as a list is tuple validation; in 2020-12 that is prefixItems.
    const draft7 = compiler.compile({ $schema: 'http://json-schema.org/draft-07/schema#', items: [{ type: 'string' }] }, '2020-12');
    expect(draft7.draft).toBe('7');
    expect(draft7.validate([1])).toBe(false);
  });

  it('reports keywords it ignores as warnings, not failures', () => {
    const compiled = createSchemaCompiler().compile({ type: 'object', requried: ['x'] }, '2020-12');
    expect(compiled.warnings.join()).toMatch(/unknown keyword: "requried"/);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a wrong type name', { properties: { amount: { type: 'money' } } }, '/properties/amount/type', /must be one of: "array", "boolean"/],
    ['a negative minLength', { properties: { n: { minLength: -1 } } }, '/properties/n/minLength', /must be >= 0/],
    ['an invalid pattern', { properties: { id: { pattern: '([' } } }, '/properties/id/pattern', /not a valid regular expression/],
    [
      'a $ref to nothing',
      { properties: { c: { $ref: '#/$defs/client' } } },
      '/properties/c/$ref',
      /points to nothing this schema contains/,
    ],
    ['an unknown format', { properties: { e: { format: 'emial' } } }, '/properties/e/format', /"emial" is not a format this node knows/],
    ['an unsupported draft', { $schema: 'http://json-schema.org/draft-04/schema#' }, '/$schema', /does not support/],
    ['a list', [1], '/', /must be a JSON object/],
  ])('refuses %s with the schema path and reason', (_name, schema, path, reason) => {
    let caught: unknown;
    try {
      createSchemaCompiler().compile(schema, '2020-12');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SchemaProblem);
    expect((caught as SchemaProblem).schemaPath).toBe(path);
    expect((caught as SchemaProblem).reason).toMatch(reason);
  });
});

describe('schema errors in plain language', () => {
  const compiler = createSchemaCompiler();
  const messagesFor = (schema: object, data: unknown) =>
    schemaCheck(compiler.compile(schema, '2020-12').validate)(data).map((p) => [p.pointer, p.message]);

  it.each<[string, object, unknown, Array<[string, string]>]>([
    ['required', { required: ['dealId'] }, {}, [['/dealId', 'Field "dealId" is required but missing.']]],
    [
      'type',
      { properties: { amount: { type: 'number' } } },
      { amount: '12' },
      [['/amount', 'Field "amount" must be a number, but it is text ("12").']],
    ],
    [
      'type list',
      { properties: { a: { type: ['string', 'null'] } } },
      { a: 1 },
      [['/a', 'Field "a" must be text or empty (null), but it is the number 1.']],
    ],
    ['format', { properties: { e: { format: 'email' } } }, { e: 'x' }, [['/e', 'Field "e" must be an email address, but it is "x".']]],
    [
      'enum',
      { properties: { s: { enum: ['won', 'lost'] } } },
      { s: 'open' },
      [['/s', 'Field "s" must be one of: "won", "lost" (it is "open").']],
    ],
    ['const', { properties: { v: { const: 2 } } }, { v: 1 }, [['/v', 'Field "v" must be exactly 2 (it is 1).']]],
    ['minimum', { properties: { a: { minimum: 0 } } }, { a: -1 }, [['/a', 'Field "a" must be at least 0 (it is -1).']]],
    ['exclusiveMaximum', { properties: { a: { exclusiveMaximum: 5 } } }, { a: 5 }, [['/a', 'Field "a" must be less than 5 (it is 5).']]],
    [
      'maxLength',
      { properties: { n: { maxLength: 1 } } },
      { n: 'ab' },
      [['/n', 'Field "n" must be at most 1 character long (it is "ab").']],
    ],
    ['pattern', { properties: { id: { pattern: '^D-' } } }, { id: 'X' }, [['/id', 'Field "id" must match the pattern ^D- (it is "X").']]],
    ['minItems', { properties: { l: { minItems: 2 } } }, { l: [1] }, [['/l', 'Field "l" must have at least 2 entries (it has 1).']]],
    [
      'uniqueItems',
      { properties: { l: { uniqueItems: true } } },
      { l: [1, 1] },
      [['/l', 'Field "l" must not repeat entries (entries 0 and 1 are the same).']],
    ],
    [
      'additionalProperties',
      { additionalProperties: false },
      { extra: 1 },
      [['/extra', 'Field "extra" is not an expected field here; remove it or add it to the schema.']],
    ],
    [
      'nested array item',
      { properties: { lines: { items: { required: ['sku'] } } } },
      { lines: [{ sku: 1 }, {}] },
      [['/lines/1/sku', 'Field "lines[1].sku" is required but missing.']],
    ],
    ['root type', { type: 'object' }, [], [['', 'The item must be an object (a group of fields), but it is a list.']]],
    ['false schema', { properties: { x: false } }, { x: 1 }, [['/x', 'Field "x" is not allowed here.']]],
  ])('%s', (_name, schema, data, expected) => {
    expect(messagesFor(schema, data)).toEqual(expected);
  });

  it('lists every problem of an item, skips the echo of "if", and keeps the offending value', () => {
    const schema = { if: { required: ['a'] }, then: { required: ['b'] }, properties: { c: { type: 'string' } } };
    const problems = schemaCheck(compiler.compile(schema, '2020-12').validate)({ a: 1, c: 5 });
    expect(problems.map((p) => [p.pointer, p.rule, p.value])).toEqual([
      ['/b', 'required', undefined],
      ['/c', 'type', 5],
    ]);
  });

  it('caps the problems of one item at 20', () => {
    const properties = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, { type: 'string' }]));
    const data = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, i]));
    expect(schemaCheck(compiler.compile({ properties }, '2020-12').validate)(data)).toHaveLength(20);
  });
});
