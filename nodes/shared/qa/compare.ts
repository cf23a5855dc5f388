/**
 * Compare mode: one item against the record read back from the target. Every check returns
 * differences as data plus a line a person can read ("amount: expected 12000, found 1200").
 */
import { createHash } from 'crypto';
import { readPath } from '../field-path';
import { stableStringify } from '../fingerprint';
import { inline, shown } from './diff-text';
import { isMissing, normalise, sameValue, type NormaliseOptions } from './normalise';

export interface FieldPair {
  source: string;
  /** Empty when the field has the same path in the target. */
  target?: string;
}

export type DifferenceKind = 'mismatch' | 'missing_in_target' | 'required_missing' | 'checksum' | 'version' | 'no_target_record';

export interface Difference {
  field: string;
  kind: DifferenceKind;
  expected?: unknown;
  actual?: unknown;
  message: string;
}

export interface CompareConfig {
  fields: FieldPair[];
  /** Fields the target record must have (ownership metadata: handoff id, owner, key…). */
  required: string[];
  /** Fields hashed on both sides; one hash per side instead of a line per field. */
  checksumFields: string[];
  /** A target field that stores the checksum the target computed, compared with the source's. */
  targetChecksumField?: string;
  version?: FieldPair;
  normalise: NormaliseOptions;
}

export function compareFields(source: object, target: object, pairs: FieldPair[], opts: NormaliseOptions): Difference[] {
  const differences: Difference[] = [];
  for (const pair of pairs) {
    const targetPath = pair.target || pair.source;
    const expected = readPath(source as never, pair.source);
    const actual = readPath(target as never, targetPath);
    if (sameValue(expected, actual, opts)) continue;
    const label = targetPath === pair.source ? pair.source : `${pair.source} → ${targetPath}`;
    const e = shown(pair.source, expected);
    const a = shown(targetPath, actual);
    differences.push(
      isMissing(actual, opts)
        ? { field: label, kind: 'missing_in_target', expected: e, message: `${label}: missing in the target (expected ${inline(e)})` }
        : { field: label, kind: 'mismatch', expected: e, actual: a, message: `${label}: expected ${inline(e)}, found ${inline(a)}` },
    );
  }
  return differences;
}

export function missingRequired(target: object, paths: string[], opts: NormaliseOptions): Difference[] {
  return paths
    .filter((path) => isMissing(readPath(target as never, path), opts))
    .map((path) => ({ field: path, kind: 'required_missing' as const, message: `${path}: required in the target but missing` }));
}

/** sha256 over the normalised values of the fields, in the order given. */
export function checksum(record: object, paths: string[], opts: NormaliseOptions): string {
  const values = paths.map((path) => normalise(readPath(record as never, path), opts));
  return createHash('sha256').update(stableStringify(values)).digest('hex');
}

export function compareChecksums(source: object, target: object, config: CompareConfig): Difference[] {
  if (!config.checksumFields.length) return [];
  const expected = checksum(source, config.checksumFields, config.normalise);
  const actual = config.targetChecksumField
    ? String(readPath(target as never, config.targetChecksumField) ?? '')
        .trim()
        .toLowerCase()
    : checksum(target, config.checksumFields, config.normalise);
  if (expected === actual) return [];
  const field = config.targetChecksumField ?? `checksum(${config.checksumFields.join(', ')})`;
  return [
    {
      field,
      kind: 'checksum',
      expected,
      actual,
      message: `${field}: the checksum differs (source ${expected.slice(0, 12)}…, target ${actual ? `${actual.slice(0, 12)}…` : 'none'})`,
    },
  ];
}

export function compareVersion(source: object, target: object, config: CompareConfig): Difference[] {
  const pair = config.version;
  if (!pair?.source) return [];
  const targetPath = pair.target || pair.source;
  const expected = readPath(source as never, pair.source);
  const actual = readPath(target as never, targetPath);
  if (sameValue(expected, actual, config.normalise)) return [];
  return [
    {
      field: targetPath,
      kind: 'version',
      expected,
      actual,
      message: `${targetPath}: the target holds version ${inline(shown(targetPath, actual))}, expected ${inline(shown(pair.source, expected))}`,
    },
  ];
}

/** Every check of Compare mode; an empty list means the handoff is proven. */
export function compareRecord(source: object, target: unknown, config: CompareConfig): Difference[] {
  if (target === null || typeof target !== 'object' || Array.isArray(target)) {
    return [{ field: '', kind: 'no_target_record', message: `No record was read back from the target (got ${inline(shown('', target))})` }];
  }
  return [
    ...missingRequired(target, config.required, config.normalise),
    ...compareFields(source, target, config.fields, config.normalise),
    ...compareChecksums(source, target, config),
    ...compareVersion(source, target, config),
  ];
}
