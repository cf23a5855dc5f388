/** Values inside a diff line: short, quoted text, masked secrets (diffs travel to incidents). */
import { isSecretKey, redact, REDACTED } from '../../../protocol/redact';
import { splitPath } from '../field-path';

const SHOWN_CHARS = 60;

export function shown(path: string, value: unknown): unknown {
  const last = splitPath(path)
    .filter((p) => typeof p === 'string')
    .pop();
  if (typeof last === 'string' && isSecretKey(last) && value !== undefined && value !== null && value !== '') return REDACTED;
  return redact(value, { limits: { maxString: SHOWN_CHARS, maxDepth: 2, maxArray: 5, maxKeys: 8 } });
}

export function inline(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'empty';
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}
