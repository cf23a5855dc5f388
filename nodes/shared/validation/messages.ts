/**
 * Ajv's errors in plain language. Ajv says "must have required property 'email'" at "/client";
 * a person needs "Field "client.email" is required but missing." at /client/email.
 */
import type { ErrorObject } from 'ajv';
import { briefValue, escapePointerSegment, fieldLabel, sampleValue, subject, type ItemProblem } from './problem';

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'an object (a group of fields)',
  array: 'a list',
  null: 'empty (null)',
};

export const FORMAT_WORDS: Record<string, string> = {
  email: 'an email address',
  'idn-email': 'an email address',
  date: 'a date like 2026-01-31',
  time: 'a time like 14:30:00Z',
  'date-time': 'a date and time like 2026-01-31T14:30:00Z',
  duration: 'a duration like P3D or PT2H',
  uri: 'a full web address like https://example.com/page',
  'uri-reference': 'a web address or path',
  url: 'a web address like https://example.com',
  uuid: 'a UUID like 3f2b9c1e-8a4d-4f6e-9b1a-2c3d4e5f6a7b',
  hostname: 'a host name like example.com',
  ipv4: 'an IPv4 address like 192.168.0.1',
  ipv6: 'an IPv6 address',
  regex: 'a regular expression',
};

export function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

export function actualTypeWords(value: unknown): string {
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `text (${briefValue(value)})`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  return 'an object';
}

function listValues(values: unknown[]): string {
  const shown = values.slice(0, 10).map((v) => (typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v))));
  return values.length > 10 ? `${shown.join(', ')} … (${values.length} in all)` : shown.join(', ');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const entries = (n: number) => `${n} ${n === 1 ? 'entry' : 'entries'}`;

/** Where the problem is: for missing/extra fields that is the field itself, not its parent. */
export function problemPointer(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  const child = (name: unknown) => `${error.instancePath}/${escapePointerSegment(String(name))}`;
  switch (error.keyword) {
    case 'required':
    case 'dependentRequired':
    case 'dependencies':
      return child(p.missingProperty);
    case 'additionalProperties':
      return child(p.additionalProperty);
    case 'unevaluatedProperties':
      return child(p.unevaluatedProperty);
    case 'propertyNames':
      return p.propertyName === undefined ? error.instancePath : child(p.propertyName);
    default:
      return error.instancePath;
  }
}

export function sentence(error: ErrorObject, pointer: string, value: unknown): string {
  const p = error.params as Record<string, unknown>;
  const who = subject(pointer);
  const is = briefValue(value);
  switch (error.keyword) {
    case 'required':
      return `${who} is required but missing.`;
    case 'dependentRequired':
    case 'dependencies':
      return `${who} is required when "${String(p.property)}" is present.`;
    case 'type':
      return `${who} must be ${typeWords(p.type)}, but it is ${actualTypeWords(value)}.`;
    case 'format':
      return `${who} must be ${FORMAT_WORDS[String(p.format)] ?? `in the "${String(p.format)}" format`}, but it is ${is}.`;
    case 'enum':
      return `${who} must be one of: ${listValues((p.allowedValues as unknown[]) ?? [])} (it is ${is}).`;
    case 'const':
      return `${who} must be exactly ${JSON.stringify(p.allowedValue)} (it is ${is}).`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${who} must be ${LIMIT_WORDS[error.keyword]} ${String(p.limit)} (it is ${is}).`;
    case 'multipleOf':
      return `${who} must be a multiple of ${String(p.multipleOf)} (it is ${is}).`;
    case 'minLength':
      return `${who} must be at least ${plural(Number(p.limit), 'character')} long (it is ${is}).`;
    case 'maxLength':
      return `${who} must be at most ${plural(Number(p.limit), 'character')} long (it is ${is}).`;
    case 'pattern':
      return `${who} must match the pattern ${String(p.pattern)} (it is ${is}).`;
    case 'minItems':
      return `${who} must have at least ${entries(Number(p.limit))} (it has ${countOf(value)}).`;
    case 'maxItems':
      return `${who} must have at most ${entries(Number(p.limit))} (it has ${countOf(value)}).`;
    case 'uniqueItems':
      return `${who} must not repeat entries (entries ${String(p.j)} and ${String(p.i)} are the same).`;
    case 'minProperties':
      return `${who} must have at least ${plural(Number(p.limit), 'field')}.`;
    case 'maxProperties':
      return `${who} must have at most ${plural(Number(p.limit), 'field')}.`;
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return `${who} is not an expected field here; remove it or add it to the schema.`;
    case 'propertyNames':
      return `${who} has a name the schema does not allow.`;
    case 'contains':
    case 'minContains':
    case 'maxContains':
      return `${who} must contain ${error.keyword === 'maxContains' ? 'at most' : 'at least'} ${entries(Number(p.maxContains ?? p.minContains ?? 1))} matching the schema.`;
    case 'anyOf':
      return `${who} does not match any of the allowed shapes.`;
    case 'oneOf':
      return Array.isArray(p.passingSchemas)
        ? `${who} matches more than one of the shapes where exactly one is allowed.`
        : `${who} does not match any of the allowed shapes.`;
    case 'not':
      return `${who} has a shape that is not allowed.`;
    case 'false schema':
      return `${who} is not allowed here.`;
    default:
      return `${who} ${error.message ?? `breaks the "${error.keyword}" rule`}.`;
  }
}

const LIMIT_WORDS: Record<string, string> = {
  minimum: 'at least',
  maximum: 'at most',
  exclusiveMinimum: 'more than',
  exclusiveMaximum: 'less than',
};

function countOf(value: unknown): string {
  return Array.isArray(value) ? String(value.length) : briefValue(value);
}

/** Keywords whose error only repeats what the branches below already said. */
const ECHO_KEYWORDS = new Set(['if']);

export function describeErrors(errors: ErrorObject[], readValue: (pointer: string) => unknown, limit: number): ItemProblem[] {
  const problems: ItemProblem[] = [];
  for (const error of errors) {
    if (ECHO_KEYWORDS.has(error.keyword)) continue;
    if (problems.length >= limit) break;
    const pointer = problemPointer(error);
    const raw = readValue(pointer);
    const value = sampleValue(pointer, raw);
    problems.push({
      pointer,
      field: fieldLabel(pointer),
      rule: error.keyword,
      message: sentence(error, pointer, value),
      ...(raw === undefined ? {} : { value }),
    });
  }
  return problems;
}
