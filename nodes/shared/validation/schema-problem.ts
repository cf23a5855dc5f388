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
  const format = /unknown format "([^"]*)" ignored in schema at path "#([^"]*)"/.exec(message);
  if (format) {
    return new SchemaProblem(
      `${format[2] || ''}/format`,
      `"${format[1]}" is not a format this node knows. Use one of: ${KNOWN_FORMATS.join(', ')}.`,
    );
  }
  return new SchemaProblem('/', message);
}

const KNOWN_FORMATS = ['date', 'time', 'date-time', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uri', 'uri-reference', 'uri-template', 'url', 'uuid', 'regex', 'json-pointer', 'relative-json-pointer'];

/** JSON pointer of the first `$ref` with the given value, for the error message. */
export function findRef(schema: unknown, ref: string, pointer = ''): string | undefined {
  if (schema === null || typeof schema !== 'object') return undefined;
  if ((schema as { $ref?: unknown }).$ref === ref) return `${pointer}/$ref`;
  for (const [key, child] of Object.entries(schema)) {
    const found = findRef(child, ref, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (found) return found;
  }
  return undefined;
}
