/**
 * Field rules for people who do not write JSON Schema: "dealId is required", "amount is a number
 * of at least 0", "client.email is an email". Rules are checked once when the run starts (a bad
 * pattern is a configuration error), then each item is checked with plain lookups by field path.
 */
import { fullFormats } from 'ajv-formats/dist/formats';
import { readPath, splitPath } from '../field-path';
import { actualTypeWords, FORMAT_WORDS, typeWords } from './messages';
import { briefValue, fieldLabel, pointerFromSegments, sampleValue, subject, type ItemProblem } from './problem';

export type RuleCheck = 'required' | 'type' | 'format' | 'enum' | 'min' | 'max' | 'minLength' | 'maxLength' | 'pattern';
export type RuleType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';

/** One row of the node's "Rules" list, as n8n hands it over. */
export interface FieldRuleConfig {
  field?: string;
  check?: RuleCheck;
  type?: RuleType;
  format?: string;
  values?: string;
  /** The "Limit" of min, max, minLength and maxLength (parameter `threshold`). */
  threshold?: number;
  pattern?: string;
}

/** The formats offered in the rule editor: those a person recognises, checked by ajv-formats. */
export const RULE_FORMATS = ['email', 'uri', 'url', 'hostname', 'ipv4', 'ipv6', 'date', 'time', 'date-time', 'duration', 'uuid'] as const;

export class RuleProblem extends Error {
  constructor(
    readonly ruleNumber: number,
    message: string,
    readonly fix: string,
  ) {
    super(`Rule ${ruleNumber}: ${message}`);
    this.name = 'RuleProblem';
  }
}

/** undefined when the value passes; else builds the sentence from the value as shown (masked, cut). */
type Check = (value: unknown, present: boolean) => ((shown: unknown) => string) | undefined;

interface CompiledRule {
  path: string;
  pointer: string;
  check: RuleCheck;
  test: Check;
}

export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function hasType(value: unknown, type: RuleType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

function formatChecker(name: string): ((text: string) => boolean) | undefined {
  const format = (fullFormats as Record<string, unknown>)[name];
  const validate =
    format && typeof format === 'object' && !(format instanceof RegExp) ? (format as { validate: unknown }).validate : format;
  if (validate instanceof RegExp) return (text) => validate.test(text);
  if (typeof validate === 'function') return (text) => Boolean(validate(text));
  return undefined;
}

function lengthOf(value: unknown): number | undefined {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  return undefined;
}

function buildCheck(rule: FieldRuleConfig, n: number, label: string): Check {
  const { check } = rule;
  switch (check) {
    case 'required':
      return (value, present) =>
        !present ? () => 'is required but missing.' : isEmpty(value) ? () => 'is required but empty.' : undefined;
    case 'type': {
      const type = rule.type ?? 'string';
      return (value) => (hasType(value, type) ? undefined : (shown) => `must be ${typeWords(type)}, but it is ${actualTypeWords(shown)}.`);
    }
    case 'format': {
      const name = rule.format ?? '';
      const test = formatChecker(name);
      if (!test) throw new RuleProblem(n, `"${name}" is not a format this node knows`, `Choose one of: ${RULE_FORMATS.join(', ')}.`);
      const words = FORMAT_WORDS[name] ?? `in the "${name}" format`;
      return (value) =>
        typeof value === 'string' && test(value) ? undefined : (shown) => `must be ${words}, but it is ${briefValue(shown)}.`;
    }
    case 'enum': {
      const allowed = (rule.values ?? '')
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      if (!allowed.length)
        throw new RuleProblem(
          n,
          `"Allowed Values" is empty for ${label}`,
          'List the allowed values separated by commas, e.g. closed-won, closed-lost.',
        );
      const set = new Set(allowed);
      const listed =
        allowed
          .slice(0, 10)
          .map((v) => JSON.stringify(v))
          .join(', ') + (allowed.length > 10 ? ` … (${allowed.length} in all)` : '');
      return (value) =>
        (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') && set.has(String(value).trim())
          ? undefined
          : (shown) => `must be one of: ${listed} (it is ${briefValue(shown)}).`;
    }
    case 'min':
    case 'max': {
      const limit = requireLimit(rule, n, label);
      const ok = check === 'min' ? (v: number) => v >= limit : (v: number) => v <= limit;
      const words = check === 'min' ? 'at least' : 'at most';
      return (value) =>
        typeof value !== 'number' || !Number.isFinite(value)
          ? (shown) => `must be a number ${words} ${limit}, but it is ${actualTypeWords(shown)}.`
          : ok(value)
            ? undefined
            : (shown) => `must be ${words} ${limit} (it is ${briefValue(shown)}).`;
    }
    case 'minLength':
    case 'maxLength': {
      const limit = requireLimit(rule, n, label);
      const words = check === 'minLength' ? 'at least' : 'at most';
      return (value) => {
        const length = lengthOf(value);
        if (length === undefined)
          return (shown) => `must be text or a list with ${words} ${limit} entries, but it is ${actualTypeWords(shown)}.`;
        const ok = check === 'minLength' ? length >= limit : length <= limit;
        const unit = typeof value === 'string' ? 'character' : 'entr';
        const units = (k: number) =>
          unit === 'character' ? `${k} character${k === 1 ? '' : 's'}` : `${k} ${k === 1 ? 'entry' : 'entries'}`;
        return ok ? undefined : () => `must have ${words} ${units(limit)} (it has ${length}).`;
      };
    }
    case 'pattern': {
      const source = rule.pattern ?? '';
      let regex: RegExp;
      try {
        regex = new RegExp(source, 'u');
      } catch (error) {
        // eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- pure module; buildChecks (PreflightValidate) wraps RuleProblem in NodeOperationError
        throw new RuleProblem(
          n,
          `the pattern ${JSON.stringify(source)} for ${label} is not a valid regular expression (${(error as Error).message})`,
          'Fix the pattern, e.g. ^D-[0-9]+$ for ids like D-1042.',
        );
      }
      return (value) =>
        (typeof value === 'string' || typeof value === 'number') && regex.test(String(value))
          ? undefined
          : (shown) => `must match the pattern ${source} (it is ${briefValue(shown)}).`;
    }
    default:
      throw new RuleProblem(n, `unknown check "${String(check)}"`, 'Choose a check from the list.');
  }
}

function requireLimit(rule: FieldRuleConfig, n: number, label: string): number {
  const limit = Number(rule.threshold);
  if (rule.threshold === undefined || rule.threshold === null || !Number.isFinite(limit)) {
    throw new RuleProblem(n, `"Limit" is not a number for ${label}`, 'Enter the limit as a number, e.g. 0.');
  }
  return limit;
}

export interface FieldRuleSet {
  check(json: unknown): ItemProblem[];
}

/** Validates the rules themselves (throws RuleProblem) and returns the per-item checker. */
export function compileFieldRules(configs: FieldRuleConfig[]): FieldRuleSet {
  const rules: CompiledRule[] = configs.map((config, i) => {
    const n = i + 1;
    const path = (config.field ?? '').trim();
    if (!path) throw new RuleProblem(n, 'has no field', 'Enter the field the rule checks, e.g. dealId or client.email.');
    const pointer = pointerFromSegments(splitPath(path));
    return { path, pointer, check: config.check ?? 'required', test: buildCheck(config, n, `"${path}"`) };
  });
  return {
    check(json) {
      const problems: ItemProblem[] = [];
      for (const rule of rules) {
        const value = readPath(json as never, rule.path);
        const present = value !== undefined;
        // Only "required" speaks about absent fields; other rules describe values that are there.
        if (rule.check !== 'required' && (value === undefined || value === null)) continue;
        const describe = rule.test(value, present);
        if (!describe) continue;
        const sample = sampleValue(rule.pointer, value);
        problems.push({
          pointer: rule.pointer,
          field: fieldLabel(rule.pointer),
          rule: rule.check,
          message: `${subject(rule.pointer)} ${describe(sample)}`,
          ...(present ? { value: sample } : {}),
        });
      }
      return problems;
    },
  };
}
