/**
 * Reads the node's parameters once per run and turns them into one per-item check. Every mistake
 * in the configuration (malformed schema, bad rule) is thrown here, before any item is looked at.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { readPath } from '../../shared/field-path';
import type { Draft } from '../../shared/validation/drafts';
import { compileFieldRules, RuleProblem, type FieldRuleConfig } from '../../shared/validation/field-rules';
import type { ItemProblem } from '../../shared/validation/problem';
import { compileReferenceRules, ReferenceProblem, type ReferenceRuleConfig } from '../../shared/validation/reference';
import { NO_PROBLEMS, schemaCheck } from '../../shared/validation/schema-check';
import { sharedSchemaCompiler, type SchemaCompiler } from '../../shared/validation/schema-compiler';
import { SchemaProblem } from '../../shared/validation/schema-problem';

export type ItemCheck = (json: IDataObject, itemIndex: number) => readonly ItemProblem[];

export interface Checks {
  checkItem: ItemCheck;
  /**
   * Set when the whole check is one compiled schema: true means checkItem would find no problems,
   * so the hot loop can skip building a problem list for valid items. False: ask checkItem why.
   */
  isValid?: (json: IDataObject) => boolean;
  /** Things worth a hint but not a failure, e.g. keywords the validator ignores. */
  warnings: string[];
}

/** Parses a schema given as JSON text; objects (from an expression) pass through. */
export function parseSchema(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  if (!text) throw new SchemaProblem('/', 'the schema is empty. Paste a JSON Schema, or switch "Validate With" to Field Rules.');
  try {
    return JSON.parse(text);
  } catch (error) {
    // eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- pure parser; buildChecks and schemaModeCheck wrap SchemaProblem in NodeOperationError
    throw new SchemaProblem('/', `the schema is not valid JSON (${(error as Error).message}).`);
  }
}

export function buildChecks(ctx: IExecuteFunctions, compiler: SchemaCompiler = sharedSchemaCompiler): Checks {
  const node = ctx.getNode();
  const warnings: string[] = [];
  try {
    const base =
      ctx.getNodeParameter('mode', 0, 'schema') === 'rules'
        ? { checkItem: fieldRulesCheck(ctx) }
        : schemaModeCheck(ctx, compiler, warnings);
    const references = referenceCheck(ctx);
    if (references) return { checkItem: combine(base.checkItem, references), warnings };
    return { ...base, warnings };
  } catch (error) {
    if (error instanceof SchemaProblem) {
      throw new NodeOperationError(node, `The schema has a mistake at ${error.schemaPath}`, {
        description: `${error.reason} Nothing was validated; fix the schema in "Schema" and run again.`,
      });
    }
    if (error instanceof RuleProblem || error instanceof ReferenceProblem) {
      throw new NodeOperationError(node, error.message, { description: error.fix });
    }
    throw new NodeOperationError(node, error as Error, { itemIndex: 0 });
  }
}

function schemaModeCheck(ctx: IExecuteFunctions, compiler: SchemaCompiler, warnings: string[]): Pick<Checks, 'checkItem' | 'isValid'> {
  const draft = ctx.getNodeParameter('draft', 0, '2020-12') as Draft;
  if (ctx.getNodeParameter('schemaSource', 0, 'parameter') !== 'field') {
    const compiled = compiler.compile(parseSchema(ctx.getNodeParameter('schema', 0)), draft);
    warnings.push(...compiled.warnings);
    return { checkItem: schemaCheck(compiled.validate), isValid: compiled.validate };
  }
  // Items usually share one schema object (or text): compile it once per distinct value per run.
  const schemaField = (ctx.getNodeParameter('schemaField', 0, 'schema') as string).trim();
  const perRun = new Map<unknown, (json: unknown) => readonly ItemProblem[]>();
  const checkItem: ItemCheck = (json, itemIndex) => {
    const raw = readPath(json, schemaField);
    let check = perRun.get(raw);
    if (!check) {
      try {
        if (raw === undefined || raw === null) throw new SchemaProblem('/', `the item has no schema in field "${schemaField}"`);
        check = schemaCheck(compiler.compile(parseSchema(raw), draft).validate);
      } catch (error) {
        if (!(error instanceof SchemaProblem)) throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
        throw new NodeOperationError(
          ctx.getNode(),
          `The schema in field "${schemaField}" of item ${itemIndex} has a mistake at ${error.schemaPath}`,
          {
            itemIndex,
            description: error.reason,
          },
        );
      }
      perRun.set(raw, check);
    }
    return check(json);
  };
  return { checkItem };
}

function fieldRulesCheck(ctx: IExecuteFunctions): ItemCheck {
  const rules = (ctx.getNodeParameter('rules.rule', 0, []) as FieldRuleConfig[]) ?? [];
  if (!rules.length) {
    throw new RuleProblem(0, 'no rules are set', 'Add at least one rule under "Rules", e.g. dealId is Required.');
  }
  const set = compileFieldRules(rules);
  return (json) => {
    const problems = set.check(json);
    return problems.length ? problems : NO_PROBLEMS;
  };
}

function referenceCheck(ctx: IExecuteFunctions): ItemCheck | undefined {
  const configs = (ctx.getNodeParameter('references.reference', 0, []) as ReferenceRuleConfig[]) ?? [];
  if (!configs.length) return undefined;
  const set = compileReferenceRules(configs);
  return (json, itemIndex) => {
    try {
      return set.check(json);
    } catch (error) {
      if (!(error instanceof ReferenceProblem)) throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
      throw new NodeOperationError(ctx.getNode(), `${error.message} (item ${itemIndex})`, { itemIndex, description: error.fix });
    }
  };
}

function combine(first: ItemCheck, second: ItemCheck): ItemCheck {
  return (json, itemIndex) => {
    const a = first(json, itemIndex);
    const b = second(json, itemIndex);
    return b.length === 0 ? a : a.length === 0 ? b : [...a, ...b];
  };
}
