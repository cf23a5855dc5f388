/**
 * Reconcile mode: two lists keyed by id (source system vs target system), e.g. the nightly check
 * "every closed-won deal has a project". Reports what is missing, unexpected or different, with
 * counts and a checksum per side, and decides pass/fail against tolerances.
 */
import { createHash } from 'crypto';
import { readPath } from '../field-path';
import { stableStringify } from '../fingerprint';
import { compareFields, type Difference, type FieldPair } from './compare';
import { normalise, type NormaliseOptions } from './normalise';

export interface Tolerance {
  /** Limits are counts, or percentages of the source list's size. */
  unit: 'count' | 'percent';
  missing: number;
  unexpected: number;
  mismatched: number;
}

export interface ReconcileConfig {
  sourceKey: string;
  targetKey: string;
  fields: FieldPair[];
  normalise: NormaliseOptions;
  tolerance: Tolerance;
}

/** Lists in the report are cut here so a 50,000-record mismatch stays a readable item. */
export const REPORT_SAMPLE = 100;

export interface ReconcileReport {
  passed: boolean;
  summary: string;
  counts: {
    source: number;
    target: number;
    matched: number;
    missingInTarget: number;
    unexpectedInTarget: number;
    mismatched: number;
    sourceWithoutKey: number;
    duplicateKeys: number;
  };
  checksums: { source: string; target: string; match: boolean };
  missingInTarget: string[];
  unexpectedInTarget: string[];
  mismatched: Array<{ key: string; differences: string[] }>;
  duplicateKeys: string[];
  /** Why it failed, one line per limit exceeded. */
  breaches: string[];
}

function keyOf(record: unknown, path: string): string | undefined {
  const raw = readPath(record as never, path);
  if (raw === undefined || raw === null) return undefined;
  const key = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : stableStringify(raw);
  return key || undefined;
}

function index(records: unknown[], path: string) {
  const byKey = new Map<string, unknown>();
  const duplicates = new Set<string>();
  let withoutKey = 0;
  for (const record of records) {
    const key = keyOf(record, path);
    if (key === undefined) withoutKey++;
    else if (byKey.has(key)) duplicates.add(key);
    else byKey.set(key, record);
  }
  return { byKey, duplicates, withoutKey };
}

/** One hash per list over key + compared fields, sorted by key: equal lists give equal hashes. */
function listChecksum(byKey: Map<string, unknown>, fieldPaths: string[], opts: NormaliseOptions): string {
  const hash = createHash('sha256');
  for (const key of [...byKey.keys()].sort()) {
    const record = byKey.get(key);
    hash.update(`${key}\u0000${stableStringify(fieldPaths.map((p) => normalise(readPath(record as never, p), opts)))}\n`);
  }
  return hash.digest('hex');
}

export function allowed(limit: number, tolerance: Tolerance, base: number): number {
  return tolerance.unit === 'percent' ? Math.floor((Math.max(0, limit) / 100) * base) : Math.max(0, Math.floor(limit));
}

export function reconcile(sourceRecords: unknown[], targetRecords: unknown[], config: ReconcileConfig): ReconcileReport {
  const source = index(sourceRecords, config.sourceKey);
  const target = index(targetRecords, config.targetKey || config.sourceKey);
  const missing: string[] = [];
  const mismatched: Array<{ key: string; differences: Difference[] }> = [];
  for (const [key, record] of source.byKey) {
    const other = target.byKey.get(key);
    if (other === undefined) missing.push(key);
    else {
      const differences = compareFields(record as object, other as object, config.fields, config.normalise);
      if (differences.length) mismatched.push({ key, differences });
    }
  }
  const unexpected = [...target.byKey.keys()].filter((key) => !source.byKey.has(key));
  const duplicateKeys = [...new Set([...source.duplicates, ...target.duplicates])];

  const base = sourceRecords.length;
  const { tolerance } = config;
  const breaches: string[] = [];
  const check = (count: number, limit: number, what: string) => {
    const max = allowed(limit, tolerance, base);
    if (count > max) breaches.push(`${count} ${what} (allowed ${max}${tolerance.unit === 'percent' ? `, ${limit}% of ${base}` : ''})`);
  };
  check(missing.length, tolerance.missing, 'missing in the target');
  check(unexpected.length, tolerance.unexpected, 'unexpected in the target');
  check(mismatched.length, tolerance.mismatched, 'with different fields');
  // Without a key a record cannot be matched at all, and a repeated key makes matching ambiguous.
  if (source.withoutKey) breaches.push(`${source.withoutKey} source record(s) without "${config.sourceKey}"`);
  if (duplicateKeys.length) breaches.push(`${duplicateKeys.length} key(s) appear more than once`);

  const targetPaths = config.fields.map((f) => f.target || f.source);
  const checksums = {
    source: listChecksum(
      source.byKey,
      config.fields.map((f) => f.source),
      config.normalise,
    ),
    target: listChecksum(target.byKey, targetPaths, config.normalise),
    match: false,
  };
  checksums.match = checksums.source === checksums.target;

  const counts = {
    source: sourceRecords.length,
    target: targetRecords.length,
    matched: source.byKey.size - missing.length - mismatched.length,
    missingInTarget: missing.length,
    unexpectedInTarget: unexpected.length,
    mismatched: mismatched.length,
    sourceWithoutKey: source.withoutKey,
    duplicateKeys: duplicateKeys.length,
  };
  const passed = breaches.length === 0;
  return {
    passed,
    summary: summarise(passed, counts, breaches),
    counts,
    checksums,
    missingInTarget: missing.slice(0, REPORT_SAMPLE),
    unexpectedInTarget: unexpected.slice(0, REPORT_SAMPLE),
    mismatched: mismatched.slice(0, REPORT_SAMPLE).map((m) => ({ key: m.key, differences: m.differences.map((d) => d.message) })),
    duplicateKeys: duplicateKeys.slice(0, REPORT_SAMPLE),
    breaches,
  };
}

function summarise(passed: boolean, counts: ReconcileReport['counts'], breaches: string[]): string {
  const head = `${counts.source} source / ${counts.target} target records: ${counts.matched} match, ${counts.missingInTarget} missing in target, ${counts.unexpectedInTarget} unexpected, ${counts.mismatched} different.`;
  return passed ? `Reconciled. ${head}` : `Reconcile failed: ${breaches.join('; ')}. ${head}`;
}
