/**
 * Reads a value by a field path such as `dealId`, `deal.id` or `lines[0].sku` straight from an
 * item. This is the fast path the design asks for: n8n spends ~0.6 ms per item evaluating an
 * expression, a path lookup costs microseconds.
 */
import type { IDataObject } from 'n8n-workflow';

const cache = new Map<string, (string | number)[]>();

export function splitPath(path: string): (string | number)[] {
  let parts = cache.get(path);
  if (!parts) {
    parts = [];
    for (const segment of path.trim().split('.')) {
      const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(segment);
      if (!match) {
        parts.push(segment);
        continue;
      }
      if (match[1]) parts.push(match[1]);
      for (const index of match[2].matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
    }
    if (cache.size > 1_000) cache.clear();
    cache.set(path, parts);
  }
  return parts;
}

export function readPath(data: IDataObject | undefined, path: string): unknown {
  let value: unknown = data;
  for (const part of splitPath(path)) {
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

/** A list of paths typed by a person: "id, email , name" → ['id', 'email', 'name']. */
export function parsePathList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}
