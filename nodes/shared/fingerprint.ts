/**
 * A payload fingerprint: a hash over chosen fields, so the ledger can tell "the same request again"
 * (duplicate) from "the same key with different data" (conflict). Key order never matters.
 */
import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';
import { readPath } from './field-path';

export function stableStringify(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
    .join(',')}}`;
}

/** sha256 over `path=value` pairs; `*` as the only path means the whole item. */
export function fingerprint(json: IDataObject, paths: string[]): string {
  const hash = createHash('sha256');
  if (paths.length === 1 && paths[0] === '*') {
    hash.update(stableStringify(json));
  } else {
    for (const path of paths) hash.update(`${path}=${stableStringify(readPath(json, path))}\n`);
  }
  return hash.digest('hex');
}
