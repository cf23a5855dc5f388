/**
 * Compiles JSON Schemas once and keeps them: keyed by the schema's content hash (key order does not
 * matter), so every execution of every workflow that uses the same schema reuses one validator.
 * Compiling costs ~1 ms; validating an item ~0.5 µs — recompiling per run would dominate.
 */
import type { Logger, ValidateFunction } from 'ajv';
import { fingerprint } from '../fingerprint';
import { createAjv, type AjvSetup, type AnyAjv } from './ajv-factory';
import { detectDraft, type Draft } from './drafts';
import { problemFromCompileError, problemFromMetaErrors, SchemaProblem } from './schema-problem';

export interface CompiledSchema {
  validate: ValidateFunction;
  draft: Draft;
  hash: string;
  /** Ajv's warnings (unknown keywords or formats): shown as an execution hint, never fatal. */
  warnings: string[];
}

/** Generated validators are a few KB each; 500 distinct schemas is far beyond one n8n instance's needs. */
export const SCHEMA_CACHE_LIMIT = 500;

export interface SchemaCompiler {
  compile(schema: unknown, defaultDraft: Draft): CompiledSchema;
  /** Like compile, resolving remote `$ref`s through `loadSchema` (only the conformance test has one). */
  compileAsync(schema: unknown, defaultDraft: Draft): Promise<CompiledSchema>;
  readonly size: number;
}

export function createSchemaCompiler(setup: Pick<AjvSetup, 'loadSchema'> = {}): SchemaCompiler {
  let warnings: string[] = [];
  const collect = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  const logger: Logger = { log: () => undefined, warn: collect, error: collect };
  const instances = new Map<Draft, AnyAjv>();
  const cache = new Map<string, CompiledSchema>();

  const ajvFor = (draft: Draft) => {
    let ajv = instances.get(draft);
    if (!ajv) instances.set(draft, (ajv = createAjv(draft, { logger, loadSchema: setup.loadSchema })));
    return ajv;
  };

  /** Detects the draft, then either finds the compiled schema or checks it against its meta-schema. */
  function prepare(schema: unknown, defaultDraft: Draft) {
    if (typeof schema !== 'boolean' && (schema === null || typeof schema !== 'object' || Array.isArray(schema))) {
      throw new SchemaProblem(
        '/',
        `a schema must be a JSON object (or true/false), not ${Array.isArray(schema) ? 'a list' : JSON.stringify(schema)}`,
      );
    }
    const detected = detectDraft(schema, defaultDraft);
    if ('problem' in detected) throw new SchemaProblem('/$schema', detected.problem);
    const key = `${detected.draft}:${fingerprint(schema as never, ['*'])}`;
    const hit = cache.get(key);
    if (hit) {
      // Refresh its place so the least recently used schema is the one evicted.
      cache.delete(key);
      cache.set(key, hit);
      return { hit: true as const, compiled: hit };
    }
    const ajv = ajvFor(detected.draft);
    warnings = [];
    if (!ajv.validateSchema(schema as object)) throw problemFromMetaErrors(ajv.errors ?? []);
    return { hit: false as const, ajv, draft: detected.draft, key };
  }

  function store(key: string, draft: Draft, validate: ValidateFunction): CompiledSchema {
    const compiled = { validate, draft, hash: key.slice(key.indexOf(':') + 1), warnings: [...new Set(warnings)] };
    cache.set(key, compiled);
    if (cache.size > SCHEMA_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    return compiled;
  }

  return {
    compile(schema, defaultDraft) {
      const prepared = prepare(schema, defaultDraft);
      if (prepared.hit) return prepared.compiled;
      const { ajv, draft, key } = prepared;
      const forget = remember(ajv, schema);
      try {
        return store(key, draft, ajv.compile(schema as object));
      } catch (error) {
        throw problemFromCompileError(error, schema);
      } finally {
        forget();
      }
    },
    async compileAsync(schema, defaultDraft) {
      const prepared = prepare(schema, defaultDraft);
      if (prepared.hit) return prepared.compiled;
      const { ajv, draft, key } = prepared;
      const forget = remember(ajv, schema);
      try {
        return store(key, draft, await ajv.compileAsync(schema as object));
      } catch (error) {
        throw problemFromCompileError(error, schema);
      } finally {
        forget();
      }
    },
    get size() {
      return cache.size;
    },
  };
}

/**
 * Ajv registers every `$id` it compiles. Our cache owns compiled validators, so afterwards the
 * instance forgets them: two workflows may use different schemas with the same `$id`, and a
 * schema edited in place must not collide with its previous version.
 */
function remember(ajv: AnyAjv, schema: unknown): () => void {
  const refs = new Set(Object.keys(ajv.refs));
  const schemas = new Set(Object.keys(ajv.schemas));
  return () => {
    for (const key of Object.keys(ajv.refs)) if (!refs.has(key)) delete ajv.refs[key];
    for (const key of Object.keys(ajv.schemas)) if (!schemas.has(key)) delete ajv.schemas[key];
    if (typeof schema === 'object' && schema !== null) ajv.removeSchema(schema as object);
  };
}

/** The compiler the nodes share: one per n8n process, so the cache spans executions. */
export const sharedSchemaCompiler: SchemaCompiler = createSchemaCompiler();
