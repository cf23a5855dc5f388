/**
 * Reads a contract from YAML text. Errors say where (line, handoff id, field) and why, so whoever
 * edits handoffs.yaml can fix it without reading code.
 */
import { isNode, LineCounter, parseDocument } from 'yaml';
import { Contract, contractSchema } from './schema';

export class ContractError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Contract ${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ContractError';
  }
}

export function parseContract(text: string, file = 'handoffs.yaml'): Contract {
  return readContract(text, file).contract;
}

/**
 * The contract and whether the file says `handoffs:` at all: an empty file, one of comments only or
 * one cut short before that key parses as "no handoffs", which a reload must not mistake for intent.
 */
export function readContract(text: string, file = 'handoffs.yaml'): { contract: Contract; declaresHandoffs: boolean } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ContractError(
      file,
      doc.errors.map((e) => `line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`),
    );
  }
  const raw = doc.toJS() ?? {};
  const parsed = contractSchema.safeParse(raw, {
    error: (issue) => (issue.input === undefined ? 'is required' : undefined),
  });
  if (parsed.success) {
    const declaresHandoffs = typeof raw === 'object' && raw !== null && Object.prototype.hasOwnProperty.call(raw, 'handoffs');
    return { contract: parsed.data, declaresHandoffs };
  }

  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path as (string | number)[];
    const offset = locate(doc, path);
    const line = offset !== undefined ? `line ${lineCounter.linePos(offset).line}: ` : '';
    return `${line}${describePath(raw, path)}: ${issue.message}`;
  });
  throw new ContractError(file, problems);
}

/** Where in the file a path is; for a missing field, where its parent starts. */
function locate(doc: ReturnType<typeof parseDocument>, path: (string | number)[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}

/** `handoffs[0] (sales-to-delivery-kickoff).owner.name` — the handoff's id makes the place findable. */
function describePath(raw: unknown, path: (string | number)[]): string {
  let out = '';
  path.forEach((part, i) => {
    if (typeof part === 'number') {
      out += `[${part}]`;
      if (i === 1 && path[0] === 'handoffs') {
        const handoffId = (raw as { handoffs?: { id?: unknown }[] }).handoffs?.[part]?.id;
        if (typeof handoffId === 'string') out += ` (${handoffId})`;
      }
    } else {
      out += out ? `.${part}` : part;
    }
  });
  return out || '(top level)';
}
