/**
 * Reference integrity: a field's value must be one of the ids known elsewhere (clients fetched
 * earlier in the flow, a list carried on the item). Values compare as trimmed text, so the id 42
 * from one system matches "42" from another.
 */
import { stableStringify } from '../fingerprint';
import { readPath, splitPath } from '../field-path';
import { briefValue, fieldLabel, pointerFromSegments, sampleValue, subject, type ItemProblem } from './problem';

export interface ReferenceRuleConfig {
  field?: string;
  /** "list": given once for the whole run (an expression); "field": a list carried on each item. */
  listSource?: 'list' | 'field';
  allowedValues?: unknown;
  listField?: string;
  /** When the list holds records rather than ids: the field with the id in each record. */
  valueField?: string;
}

export class ReferenceProblem extends Error {
  constructor(
    readonly ruleNumber: number,
    message: string,
    readonly fix: string,
  ) {
    super(`Reference check ${ruleNumber}: ${message}`);
    this.name = 'ReferenceProblem';
  }
}

export function referenceKey(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return stableStringify(value);
}

/**
 * Accepts what an expression can give: a list of ids, a list of records (with valueField), a
 * comma-separated text, or a JSON text of a list. Anything else is a configuration mistake.
 */
export function toAllowedSet(raw: unknown, valueField: string): Set<string> | { problem: string } {
  let list = raw;
  if (typeof list === 'string') {
    const text = list.trim();
    if (text.startsWith('[')) {
      try {
        list = JSON.parse(text);
      } catch {
        return { problem: 'looks like a JSON list but is not valid JSON' };
      }
    } else {
      list = text ? text.split(',') : [];
    }
  }
  if (!Array.isArray(list))
    return {
      problem: `is ${list === undefined || list === null ? 'empty' : `${typeof list === 'object' ? 'an object' : typeof list}`}, not a list`,
    };
  const set = new Set<string>();
  for (const entry of list) {
    const value = valueField ? readPath(entry as never, valueField) : entry;
    if (value !== undefined && value !== null && value !== '') set.add(referenceKey(value));
  }
  return set;
}

export interface ReferenceRuleSet {
  /** Throws ReferenceProblem when an item's own list is not usable (a per-item error). */
  check(json: unknown): ItemProblem[];
}

export function compileReferenceRules(configs: ReferenceRuleConfig[]): ReferenceRuleSet {
  const rules = configs.map((config, i) => {
    const n = i + 1;
    const path = (config.field ?? '').trim();
    if (!path) throw new ReferenceProblem(n, 'has no field', 'Enter the field whose value must be a known id, e.g. clientId.');
    const valueField = (config.valueField ?? '').trim();
    const pointer = pointerFromSegments(splitPath(path));
    if ((config.listSource ?? 'list') === 'field') {
      const listField = (config.listField ?? '').trim();
      if (!listField)
        throw new ReferenceProblem(
          n,
          `has no list field for "${path}"`,
          'Enter the field of each item that holds the known ids, e.g. knownClientIds.',
        );
      return {
        n,
        path,
        pointer,
        source: `the list in "${listField}"`,
        allowed: (json: unknown) => toAllowedSet(readPath(json as never, listField), valueField),
      };
    }
    const fixed = toAllowedSet(config.allowedValues, valueField);
    if (!(fixed instanceof Set)) {
      throw new ReferenceProblem(
        n,
        `"Allowed Values" for "${path}" ${fixed.problem}`,
        "Give a list, e.g. {{ $('Get Clients').all().map(item => item.json.id) }}, or ids separated by commas.",
      );
    }
    return { n, path, pointer, source: `the ${fixed.size} known values`, allowed: () => fixed };
  });

  return {
    check(json) {
      const problems: ItemProblem[] = [];
      for (const rule of rules) {
        const value = readPath(json as never, rule.path);
        // Absent values are for a "required" rule to report; here only present values are checked.
        if (value === undefined || value === null || value === '') continue;
        const allowed = rule.allowed(json);
        if (!(allowed instanceof Set)) {
          throw new ReferenceProblem(
            rule.n,
            `${rule.source} ${allowed.problem}`,
            'Make sure every item carries the list of known ids in that field.',
          );
        }
        const values = Array.isArray(value) ? value : [value];
        const unknown = values.filter((v) => !allowed.has(referenceKey(v)));
        if (!unknown.length) continue;
        const shown = sampleValue(rule.pointer, Array.isArray(value) ? unknown : value);
        problems.push({
          pointer: rule.pointer,
          field: fieldLabel(rule.pointer),
          rule: 'reference',
          message: Array.isArray(value)
            ? `${subject(rule.pointer)} contains ${unknown.length === 1 ? 'a value' : `${unknown.length} values`} (${briefValues(shown)}) not among ${rule.source}.`
            : `${subject(rule.pointer)} is ${briefValue(shown)}, which is not among ${rule.source}.`,
          value: shown,
        });
      }
      return problems;
    },
  };
}

function briefValues(shown: unknown): string {
  return Array.isArray(shown) ? shown.map(briefValue).join(', ') : briefValue(shown);
}
