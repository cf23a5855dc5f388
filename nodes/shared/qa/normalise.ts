/**
 * What "the same value" means after a sync. Target systems trim, re-case, turn 12000 into
 * "12000.00" and re-zone timestamps; none of that is a failed handoff. Each allowance is an option
 * so a check can be made as strict as the handoff needs.
 */
import { stableStringify } from '../fingerprint';

export interface NormaliseOptions {
  /** Ignore spaces around text. */
  trim: boolean;
  /** "ACME Ltd" equals "acme ltd". */
  ignoreCase: boolean;
  /** "12000", "12000.00" and 12000 are the same number. */
  numbers: boolean;
  /** "2026-01-31T12:00:00+01:00" and "2026-01-31T11:00:00Z" are the same moment. */
  dates: boolean;
  /** Absent, null and empty text all mean "no value". */
  emptyAsMissing: boolean;
}

export const DEFAULT_NORMALISE: NormaliseOptions = { trim: true, ignoreCase: false, numbers: true, dates: true, emptyAsMissing: true };

const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
/** ISO 8601 date-times with a zone (Z or ±hh:mm); only those name one moment unambiguously. */
const DATE_TIME_TEXT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

export function normalise(value: unknown, opts: NormaliseOptions = DEFAULT_NORMALISE): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return normaliseText(value, opts);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value)) return value.map((v) => normalise(v, opts));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const n = normalise(v, opts);
      if (!(opts.emptyAsMissing && n === null)) out[k] = n;
    }
    return out;
  }
  return value;
}

function normaliseText(raw: string, opts: NormaliseOptions): unknown {
  const text = opts.trim ? raw.trim() : raw;
  if (opts.emptyAsMissing && text.trim() === '') return null;
  if (opts.numbers && NUMBER_TEXT.test(text.trim())) return Number(text);
  if (opts.dates && DATE_TIME_TEXT.test(text.trim())) {
    const time = Date.parse(text.trim().replace(' ', 'T'));
    if (!Number.isNaN(time)) return new Date(time).toISOString();
  }
  return opts.ignoreCase ? text.toLowerCase() : text;
}

/** Compares after normalising; objects compare by content, whatever their key order. */
export function sameValue(a: unknown, b: unknown, opts: NormaliseOptions = DEFAULT_NORMALISE): boolean {
  const x = normalise(a, opts);
  const y = normalise(b, opts);
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  return stableStringify(x) === stableStringify(y);
}

export function isMissing(value: unknown, opts: NormaliseOptions = DEFAULT_NORMALISE): boolean {
  return normalise(value, opts) === null;
}
