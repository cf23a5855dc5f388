// QA Verify's checks as tables: normalisation, field compare, required fields, checksums,
// versions, and reconcile with tolerances.
import { checksum, compareRecord, type CompareConfig } from '../../nodes/shared/qa/compare';
import { DEFAULT_NORMALISE, normalise, sameValue, type NormaliseOptions } from '../../nodes/shared/qa/normalise';
import { allowed, reconcile, type ReconcileConfig } from '../../nodes/shared/qa/reconcile';

const opts = (over: Partial<NormaliseOptions> = {}) => ({ ...DEFAULT_NORMALISE, ...over });

describe('normalisation', () => {
  it.each<[string, unknown, unknown, Partial<NormaliseOptions>, boolean]>([
    ['trim', ' Acme ', 'Acme', {}, true],
    ['trim off', ' Acme ', 'Acme', { trim: false }, false],
    ['case differs', 'ACME', 'acme', {}, false],
    ['ignore case', 'ACME', 'acme', { ignoreCase: true }, true],
    ['number vs text', 12000, '12000.00', {}, true],
    ['number vs text, strict', 12000, '12000', { numbers: false }, false],
    ['different numbers', 12000, '1200', {}, false],
    ['same moment, other zone', '2026-01-31T12:00:00+01:00', '2026-01-31T11:00:00Z', {}, true],
    ['moments, strict', '2026-01-31T12:00:00+01:00', '2026-01-31T11:00:00Z', { dates: false }, false],
    ['date without zone stays text', '2026-01-31', '2026-01-31T00:00:00Z', {}, false],
    ['null vs empty text', null, '  ', {}, true],
    ['absent vs empty, strict', undefined, '', { emptyAsMissing: false }, false],
    ['objects, any key order', { a: 1, b: ' x' }, { b: 'x', a: '1' }, {}, true],
    ['lists keep order', [1, 2], [2, 1], {}, false],
    ['boolean vs text', true, 'true', {}, false],
  ])('%s', (_name, a, b, over, same) => expect(sameValue(a, b, opts(over))).toBe(same));

  it('turns values into their canonical form', () => {
    expect(normalise({ n: ' 5 ', d: '2026-01-31 12:00Z', e: '', nested: [' a '] })).toEqual({
      n: 5,
      d: '2026-01-31T12:00:00.000Z',
      nested: ['a'],
    });
  });
});

describe('compare (one item vs its read-back)', () => {
  const config = (over: Partial<CompareConfig> = {}): CompareConfig => ({
    fields: [],
    required: [],
    checksumFields: [],
    normalise: DEFAULT_NORMALISE,
    ...over,
  });
  const deal = { dealId: 'D-1', title: 'Kickoff', amount: 12000, client: { email: 'a@b.co' }, revision: 3 };

  it.each<[string, Partial<CompareConfig>, unknown, string[]]>([
    [
      'all fields equal after normalisation',
      { fields: [{ source: 'title' }, { source: 'amount', target: 'budget' }] },
      { title: ' Kickoff ', budget: '12000.00' },
      [],
    ],
    [
      'a field differs',
      { fields: [{ source: 'amount', target: 'budget' }] },
      { budget: 1200 },
      ['amount → budget: expected 12000, found 1200'],
    ],
    [
      'a field is missing',
      { fields: [{ source: 'client.email' }] },
      { client: {} },
      ['client.email: missing in the target (expected "a@b.co")'],
    ],
    [
      'required ownership metadata',
      { required: ['handoffId', 'owner'] },
      { handoffId: 'h', owner: '' },
      ['owner: required in the target but missing'],
    ],
    ['version matches', { version: { source: 'revision', target: 'rev' } }, { rev: '3' }, []],
    ['version differs', { version: { source: 'revision', target: 'rev' } }, { rev: 2 }, ['rev: the target holds version 2, expected 3']],
    ['no record read back', { fields: [{ source: 'title' }] }, undefined, ['No record was read back from the target (got nothing)']],
    ['a list is not a record', { fields: [{ source: 'title' }] }, [], ['No record was read back from the target (got [])']],
  ])('%s', (_name, over, target, messages) => {
    expect(compareRecord(deal, target, config(over)).map((d) => d.message)).toEqual(messages);
  });

  it('compares checksums computed on both sides, or against one the target stored', () => {
    const fields = ['title', 'amount'];
    const stored = checksum(deal, fields, DEFAULT_NORMALISE);
    expect(compareRecord(deal, { title: 'Kickoff ', amount: '12000' }, config({ checksumFields: fields }))).toEqual([]);
    expect(compareRecord(deal, { hash: stored.toUpperCase() }, config({ checksumFields: fields, targetChecksumField: 'hash' }))).toEqual(
      [],
    );
    const [diff] = compareRecord(deal, { title: 'Other', amount: 12000 }, config({ checksumFields: fields }));
    expect(diff).toMatchObject({
      kind: 'checksum',
      message: expect.stringMatching(/^checksum\(title, amount\): the checksum differs \(source [0-9a-f]{12}…, target [0-9a-f]{12}…\)$/),
    });
  });

  it('masks secrets in a diff', () => {
    const [diff] = compareRecord({ apiToken: 'abc12345' }, { apiToken: 'zzz' }, config({ fields: [{ source: 'apiToken' }] }));
    expect(diff.message).toBe('apiToken: expected "[redacted]", found "[redacted]"');
  });
});

describe('reconcile (two lists by key)', () => {
  const base: ReconcileConfig = {
    sourceKey: 'id',
    targetKey: 'externalId',
    fields: [{ source: 'amount', target: 'budget' }],
    normalise: DEFAULT_NORMALISE,
    tolerance: { unit: 'count', missing: 0, unexpected: 0, mismatched: 0 },
  };
  const source = [
    { id: 1, amount: 10 },
    { id: 2, amount: 20 },
    { id: 3, amount: 30 },
    { id: 4, amount: 40 },
  ];

  it('passes when both lists agree, with equal checksums', () => {
    const target = source.map((s) => ({ externalId: String(s.id), budget: `${s.amount}.00` }));
    const report = reconcile(source, target, base);
    expect(report).toMatchObject({ passed: true, counts: { source: 4, target: 4, matched: 4 }, checksums: { match: true }, breaches: [] });
    expect(report.summary).toBe('Reconciled. 4 source / 4 target records: 4 match, 0 missing in target, 0 unexpected, 0 different.');
  });

  it('lists missing, unexpected and different records', () => {
    const target = [
      { externalId: 1, budget: 10 },
      { externalId: 2, budget: 99 },
      { externalId: 9, budget: 1 },
    ];
    const report = reconcile(source, target, base);
    expect(report).toMatchObject({
      passed: false,
      missingInTarget: ['3', '4'],
      unexpectedInTarget: ['9'],
      mismatched: [{ key: '2', differences: ['amount → budget: expected 20, found 99'] }],
      counts: { matched: 1, missingInTarget: 2, unexpectedInTarget: 1, mismatched: 1 },
      checksums: { match: false },
    });
    expect(report.breaches).toEqual([
      '2 missing in the target (allowed 0)',
      '1 unexpected in the target (allowed 0)',
      '1 with different fields (allowed 0)',
    ]);
  });

  it.each<[string, ReconcileConfig['tolerance'], boolean]>([
    ['2 missing within a count of 2', { unit: 'count', missing: 2, unexpected: 0, mismatched: 0 }, true],
    ['2 missing beyond a count of 1', { unit: 'count', missing: 1, unexpected: 0, mismatched: 0 }, false],
    ['2 of 4 missing within 50%', { unit: 'percent', missing: 50, unexpected: 0, mismatched: 0 }, true],
    ['2 of 4 missing beyond 25%', { unit: 'percent', missing: 25, unexpected: 0, mismatched: 0 }, false],
  ])('tolerance: %s', (_name, tolerance, passed) => {
    const target = [
      { externalId: 1, budget: 10 },
      { externalId: 2, budget: 20 },
    ];
    expect(reconcile(source, target, { ...base, tolerance }).passed).toBe(passed);
  });

  it.each<[number, ReconcileConfig['tolerance'], number, number]>([
    [3, { unit: 'count', missing: 3, unexpected: 0, mismatched: 0 }, 100, 3],
    [10, { unit: 'percent', missing: 10, unexpected: 0, mismatched: 0 }, 55, 5],
    [-1, { unit: 'count', missing: -1, unexpected: 0, mismatched: 0 }, 10, 0],
  ])('allowed(%p) → %p', (limit, tolerance, size, expected) => expect(allowed(limit, tolerance, size)).toBe(expected));

  it('fails on records without a key and on repeated keys, whatever the tolerance', () => {
    const loose = { ...base, tolerance: { unit: 'count' as const, missing: 99, unexpected: 99, mismatched: 99 } };
    const report = reconcile(
      [{ amount: 1 }, { id: 1, amount: 1 }],
      [
        { externalId: 1, budget: 1 },
        { externalId: 1, budget: 1 },
      ],
      loose,
    );
    expect(report.passed).toBe(false);
    expect(report.breaches).toEqual(['1 source record(s) without "id"', '1 key(s) appear more than once']);
  });
});
