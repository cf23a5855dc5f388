/** Reads the key of every input item according to the Gate's "Key Source". */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { parsePathList, readPath } from '../../shared/field-path';
import { readHandoff as readHandoffParameter } from '../../shared/handoff-picker';
import { KeyResolution, resolveKeys } from '../keys';

export function readGateKeys(ctx: IExecuteFunctions, items: INodeExecutionData[], withFingerprint: boolean): KeyResolution[] {
  const keySource = ctx.getNodeParameter('keySource', 0, 'field') as string;
  const fingerprintPaths = withFingerprint ? parsePathList(ctx.getNodeParameter('fingerprintFields', 0, '') as string) : [];
  if (keySource === 'expression') {
    return resolveKeys(items, (i) => ctx.getNodeParameter('key', i, undefined), 'the Key expression', fingerprintPaths);
  }
  const keyField = (ctx.getNodeParameter('keyField', 0, 'dealId') as string).trim();
  return resolveKeys(items, (i) => readPath(items[i].json, keyField), `field "${keyField}"`, fingerprintPaths);
}

/** The handoff id: one per node run (the picker's value, or version 1's plain string). */
export function readHandoff(ctx: IExecuteFunctions): string {
  return readHandoffParameter(ctx, 0);
}
