import { normaliseKey, resolveKeys } from '../../nodes/IdempotencyGate/keys';
import { readPath, splitPath, parsePathList } from '../../nodes/shared/field-path';
import { fingerprint, stableStringify } from '../../nodes/shared/fingerprint';

describe('normaliseKey', () => {
  it.each([
    ['deal-1', { key: 'deal-1' }],
    ['  deal-1 ', { key: 'deal-1' }],
    [42, { key: '42' }],
    [0, { key: '0' }],
    ['', { problem: 'is empty' }],
    ['   ', { problem: 'is empty' }],
    [undefined, { problem: 'is missing' }],
    [null, { problem: 'is missing' }],
    [Number.NaN, { problem: 'is NaN' }],
    [true, { problem: 'is the boolean true, not an id' }],
    [{ id: 1 }, { problem: 'is an object, not a text or number id' }],
    [[1], { problem: 'is a list, not a text or number id' }],
    ['x'.repeat(513), { problem: 'is 513 characters long (at most 512)' }],
  ])('%p → %p', (raw, expected) => {
    expect(normaliseKey(raw)).toEqual(expected);
  });
});

describe('field paths', () => {
  it.each([
    ['dealId', ['dealId']],
    ['deal.id', ['deal', 'id']],
    ['lines[0].sku', ['lines', 0, 'sku']],
    ['matrix[1][2]', ['matrix', 1, 2]],
  ])('splits %s', (path, parts) => {
    expect(splitPath(path)).toEqual(parts);
  });

  it('reads nested values and returns undefined for missing ones', () => {
    const data = { deal: { id: 'd1', lines: [{ sku: 'A' }] } };
    expect(readPath(data, 'deal.id')).toBe('d1');
    expect(readPath(data, 'deal.lines[0].sku')).toBe('A');
    expect(readPath(data, 'deal.missing.deeper')).toBeUndefined();
    expect(readPath(data, 'deal.id.length')).toBeUndefined();
  });

  it('parses a typed list of paths', () => {
    expect(parsePathList(' a, b.c ,, d ')).toEqual(['a', 'b.c', 'd']);
    expect(parsePathList(undefined)).toEqual([]);
  });
});

describe('fingerprints', () => {
  it('ignore key order and differ when a chosen field differs', () => {
    expect(stableStringify({ b: 1, a: [{ y: 2, x: 1 }] })).toBe('{"a":[{"x":1,"y":2}],"b":1}');
    const a = fingerprint({ amount: 10, client: { name: 'Acme' }, note: 'x' }, ['amount', 'client.name']);
    const b = fingerprint({ note: 'y', client: { name: 'Acme' }, amount: 10 }, ['amount', 'client.name']);
    const c = fingerprint({ amount: 11, client: { name: 'Acme' } }, ['amount', 'client.name']);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(fingerprint({ a: 1, b: 2 }, ['*'])).toBe(fingerprint({ b: 2, a: 1 }, ['*']));
  });
});

describe('resolveKeys', () => {
  it('keeps item order, attaches fingerprints and explains a missing key with a fix', () => {
    const items = [{ json: { dealId: 'a', amount: 1 } }, { json: { amount: 2 } }, { json: { dealId: 7 } }];
    const out = resolveKeys(items, (i) => items[i].json.dealId, 'field "dealId"', ['amount']);
    expect(out[0]).toMatchObject({ index: 0, key: 'a' });
    expect((out[0] as { fingerprint: string }).fingerprint).toHaveLength(64);
    expect(out[1]).toEqual({
      index: 1,
      problem: 'The idempotency key (field "dealId") is missing in item 1',
      fix: expect.stringContaining('dealId'),
    });
    expect(out[2]).toMatchObject({ index: 2, key: '7' });
  });
});
