/**
 * A schema that cannot be used, with where (a JSON pointer into the schema) and why, in words the
 * person who pasted it can act on. Thrown before any item is validated.
 */
import type { ErrorObject } from 'ajv';

export class SchemaProblem extends Error {
  constructor(
    readonly schemaPath: string,
    readonly reason: string,
  ) {
    super(`The JSON Schema is not usable at ${schemaPath || '/'}: ${reason}`);
    this.name = 'SchemaProblem';
  }
}

/** Ajv reports every meta-schema violation; the deepest one names the actual mistake. */
export function problemFromMetaErrors(errors: ErrorObject[]): SchemaProblem {
  const deepest = errors.reduce((best, e) => (depth(e.instancePath) > depth(best.instancePath) ? e : best), errors[0]);
  return new SchemaProblem(deepest.instancePath || '/', metaReason(deepest));
}

function depth(pointer: string): number {
  return pointer ? pointer.split('/').length : 0;
}

function metaReason(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return `must be one of: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (error.keyword === 'format' && params.format === 'regex') return 'is not a valid regular expression';
  return error.message ?? `breaks the "${error.keyword}" rule of the JSON Schema meta-schema`;
}

/** Turns what Ajv throws while compiling into a SchemaProblem that names the $ref or the rule. */
export function problemFromCompileError(error: unknown, schema: unknown): SchemaProblem {
  if (error instanceof SchemaProblem) return error;
  const message = (error as Error)?.message ?? String(error);
  const missing = /can't resolve reference (\S+) from id/.exec(message);
  if (missing) {
    const ref = missing[1];
    return new SchemaProblem(
      findRef(schema, ref) ?? '/',
      `the reference "${ref}" points to nothing this schema contains. Put the referenced schema under "$defs" and refer to it as "#/$defs/<name>" (the node does not download schemas).`,
    );
  }
  const regex = /^Invalid regular expression: \/(.*)\/u?: (.*)$/s.exec(message);
  if (regex) {
    const [, source, why] = regex;
    const inPattern = findWhere(schema, (node) => node.pattern === source);
    const inKeys =
      inPattern === undefined
        ? findWhere(schema, (node) => isObject(node.patternProperties) && source in node.patternProperties)
        : undefined;
    const path =
      inPattern !== undefined ? `${inPattern}/pattern` : inKeys !== undefined ? `${inKeys}/patternProperties/${escape(source)}` : '/';
    return new SchemaProblem(path, `the pattern ${JSON.stringify(source)} is not a valid regular expression (${why}).`);
  }
  const format = /unknown format "([^"]*)" ignored in schema at path "#([^"]*)"/.exec(message);
  if (format) {
    return new SchemaProblem(
      `${format[2] || ''}/format`,
      `"${format[1]}" is not a format this node knows. Use one of: ${KNOWN_FORMATS.join(', ')}.`,
    );
  }
  return new SchemaProblem('/', message);
}

const KNOWN_FORMATS = [
  'date',
  'time',
  'date-time',
  'duration',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uri',
  'uri-reference',
  'uri-template',
  'url',
  'uuid',
  'regex',
  'json-pointer',
  'relative-json-pointer',
];

/** JSON pointer of the first `$ref` with the given value, for the error message. */
export function findRef(schema: unknown, ref: string): string | undefined {
  const at = findWhere(schema, (node) => node.$ref === ref);
  return at === undefined ? undefined : `${at}/$ref`;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object';
const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** JSON pointer of the first subschema (depth first) that satisfies the test. */
export function findWhere(schema: unknown, test: (node: Record<string, unknown>) => boolean, pointer = ''): string | undefined {
  if (!isObject(schema)) return undefined;
  if (!Array.isArray(schema) && test(schema)) return pointer;
  for (const [key, child] of Object.entries(schema)) {
    const found = findWhere(child, test, `${pointer}/${escape(key)}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
