/** Reads QA Verify's parameters once per run into the pure configs of nodes/shared/qa. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { parsePathList } from '../../shared/field-path';
import type { CompareConfig, FieldPair } from '../../shared/qa/compare';
import { DEFAULT_NORMALISE, type NormaliseOptions } from '../../shared/qa/normalise';
import type { ReconcileConfig, Tolerance } from '../../shared/qa/reconcile';

const text = (ctx: IExecuteFunctions, name: string, fallback = '') => String(ctx.getNodeParameter(name, 0, fallback) ?? '').trim();

export function readFieldPairs(ctx: IExecuteFunctions): FieldPair[] {
  const rows = (ctx.getNodeParameter('fields.field', 0, []) as Array<{ source?: string; target?: string }>) ?? [];
  return rows.map((row, i) => {
    const source = (row.source ?? '').trim();
    if (!source) {
      throw new NodeOperationError(ctx.getNode(), `Field ${i + 1} under "Fields to Compare" has no source field`, {
        description: 'Enter the path of the field in the item, e.g. amount; or remove the empty row.',
      });
    }
    return { source, target: (row.target ?? '').trim() || undefined };
  });
}

export function readNormalise(ctx: IExecuteFunctions): NormaliseOptions {
  return { ...DEFAULT_NORMALISE, ...(ctx.getNodeParameter('normalise', 0, {}) as Partial<NormaliseOptions>) };
}

export function readCompareConfig(ctx: IExecuteFunctions): CompareConfig {
  const config: CompareConfig = {
    fields: readFieldPairs(ctx),
    required: parsePathList(text(ctx, 'required')),
    checksumFields: parsePathList(text(ctx, 'checksumFields')),
    targetChecksumField: text(ctx, 'targetChecksumField') || undefined,
    version: text(ctx, 'versionSource')
      ? { source: text(ctx, 'versionSource'), target: text(ctx, 'versionTarget') || undefined }
      : undefined,
    normalise: readNormalise(ctx),
  };
  if (!config.fields.length && !config.required.length && !config.checksumFields.length && !config.version) {
    throw new NodeOperationError(ctx.getNode(), 'Nothing to verify', {
      description: 'Add at least one field under "Fields to Compare", "Required in Target", "Checksum Fields" or a version field.',
    });
  }
  return config;
}

export function readReconcileConfig(ctx: IExecuteFunctions): ReconcileConfig {
  const sourceKey = text(ctx, 'sourceKey', 'dealId');
  if (!sourceKey) {
    throw new NodeOperationError(ctx.getNode(), 'No source key', {
      description: 'Enter the path of the id both lists share, e.g. dealId.',
    });
  }
  const tolerance = ctx.getNodeParameter('tolerance', 0, {}) as Partial<Tolerance>;
  return {
    sourceKey,
    targetKey: text(ctx, 'targetKey'),
    fields: readFieldPairs(ctx),
    normalise: readNormalise(ctx),
    tolerance: {
      unit: tolerance.unit ?? 'count',
      missing: tolerance.missing ?? 0,
      unexpected: tolerance.unexpected ?? 0,
      mismatched: tolerance.mismatched ?? 0,
    },
  };
}

/** The target list as an expression gives it: a list, or its JSON text. */
export function toRecordList(raw: unknown): unknown[] | undefined {
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return Array.isArray(value) ? value : undefined;
}
