/**
 * One reason an item is invalid, as it lands on the Invalid output: where (JSON pointer into the
 * item), which field in words, what is wrong in a sentence an ops person understands, and the
 * offending value — truncated and with secrets masked, because invalid items travel on to incidents.
 */
import { isSecretKey, redact, REDACTED } from '../../../protocol/redact';

export interface ItemProblem {
  /** RFC 6901 pointer into the item's JSON, e.g. /client/email ("" is the whole item). */
  pointer: string;
  /** The same place as people write field paths, e.g. client.email or lines[0].sku. */
  field: string;
  /** The check that failed: a JSON Schema keyword, or the field rule's name. */
  rule: string;
  message: string;
  /** Absent when the field itself is missing. */
  value?: unknown;
}

/** Long enough to recognise a value, short enough that 20 problems stay a readable item. */
export const VALUE_LIMITS = { maxString: 80, maxDepth: 2, maxArray: 5, maxKeys: 10 } as const;

/** A record with more problems than this is wrong wholesale; the first ones make the point. */
export const MAX_PROBLEMS_PER_ITEM = 20;

export function escapePointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointerSegments(pointer: string): string[] {
  return pointer
    ? pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    : [];
}

export function pointerFromSegments(segments: (string | number)[]): string {
  return segments.map((s) => `/${escapePointerSegment(s)}`).join('');
}

/** /lines/0/sku → lines[0].sku; the root → "the item". */
export function fieldLabel(pointer: string): string {
  const segments = pointerSegments(pointer);
  if (segments.length === 0) return 'the item';
  return segments.reduce((label, s) => (/^\d+$/.test(s) && label ? `${label}[${s}]` : label ? `${label}.${s}` : s), '');
}

/** The offending value as shown to people: truncated, and masked under secret-named fields. */
export function sampleValue(pointer: string, value: unknown): unknown {
  const last = pointerSegments(pointer).pop();
  if (last !== undefined && isSecretKey(last) && value !== undefined && value !== null && value !== '') return REDACTED;
  return redact(value, { limits: VALUE_LIMITS });
}

/** A value inside a sentence: `"won"`, `12.5`, `a list of 3`, `an object`. Expects a sampled value. */
export function briefValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'empty (null)';
  if (typeof value === 'string') return value === '' ? 'empty text' : JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

export function subject(pointer: string): string {
  return pointer ? `Field "${fieldLabel(pointer)}"` : 'The item';
}
