/**
 * Turns items into ledger keys (and fingerprints). Pure apart from the `readKey` callback, so the
 * rules — what counts as an empty key, how numbers become strings — have table tests.
 */
import type { IDataObject } from 'n8n-workflow';
import { LEDGER_LIMITS } from '../../protocol/ledger';
import { fingerprint } from '../shared/fingerprint';

export type KeyResolution = { index: number; key: string; fingerprint?: string } | { index: number; problem: string; fix: string };

export function normaliseKey(raw: unknown): { key: string } | { problem: string } {
  if (raw === undefined || raw === null) return { problem: 'is missing' };
  if (typeof raw === 'number' || typeof raw === 'bigint') {
    if (typeof raw === 'number' && !Number.isFinite(raw)) return { problem: `is ${raw}` };
    return { key: String(raw) };
  }
  if (typeof raw === 'boolean') return { problem: `is the boolean ${raw}, not an id` };
  if (typeof raw !== 'string') return { problem: `is ${Array.isArray(raw) ? 'a list' : 'an object'}, not a text or number id` };
  const key = raw.trim();
  if (!key) return { problem: 'is empty' };
  if (key.length > LEDGER_LIMITS.maxKeyLength)
    return { problem: `is ${key.length} characters long (at most ${LEDGER_LIMITS.maxKeyLength})` };
  return { key };
}

export function resolveKeys(
  items: { json: IDataObject }[],
  readKey: (index: number) => unknown,
  keyLabel: string,
  fingerprintPaths: string[],
): KeyResolution[] {
  return items.map((item, index) => {
    const normalised = normaliseKey(readKey(index));
    if ('problem' in normalised) {
      return {
        index,
        problem: `The idempotency key (${keyLabel}) ${normalised.problem} in item ${index}`,
        fix: `Make sure every item has ${keyLabel}, or change "Key" in the Idempotency Gate to a field every item has`,
      };
    }
    return {
      index,
      key: normalised.key,
      ...(fingerprintPaths.length ? { fingerprint: fingerprint(item.json, fingerprintPaths) } : {}),
    };
  });
}
