/**
 * Resolving a URL written as an n8n expression, as far as the workflow itself says what it is.
 * What resolves: literal text, and references to a value a Set node assigns literally (the
 * templates' "Config" pattern): `$('Config').first().json.taskboardUrl`, `.item`, `.last()`,
 * `.all()[0]`, `$node["Config"].json.x`, and `$json.x` / `$input.first().json.x` found on the nearest
 * Set node upstream that assigns `x`. Anything else (`$vars`, `$env`, item data, code) stays
 * unresolved and is reported as written: the audit never guesses a host.
 *
 * Exported API (stable):
 *   resolveUrl(raw, at, ctx) → { url?: string; host?: string; path?: string; unresolved?: string[] }
 */
import type { AuditNode } from './types';
import { shortType } from './apps';

export interface ExpressionContext {
  nodes: Map<string, AuditNode>;
  /** Nodes upstream of a node, nearest first. */
  upstream(name: string): string[];
}

export interface ResolvedUrl {
  /** The URL as far as it resolved; unresolved parts are shown as {{ … }}. */
  url: string;
  /** Lower-case host[:port], when no unresolved part hides it. */
  host?: string;
  /** Path (and query) as written, unresolved parts shown as {{ … }}. */
  path?: string;
  /** The expressions that could not be resolved, as written. */
  unresolved: string[];
}

const HOLE = '\u0001';
const MAX_DEPTH = 4;

/** Literal values a Set node assigns, by field name (v3.3+ assignments, v3.0–3.2 fields, v1–2 values). */
export function setValues(node: AuditNode): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (shortType(node.type) !== 'set' || node.disabled) return out;
  const p = node.parameters ?? {};
  const assignments = (p.assignments as { assignments?: { name?: unknown; value?: unknown }[] } | undefined)?.assignments;
  for (const a of assignments ?? []) if (typeof a?.name === 'string') out.set(a.name, a.value);
  const fields = (p.fields as { values?: { name?: unknown; stringValue?: unknown; numberValue?: unknown }[] } | undefined)?.values;
  for (const f of fields ?? []) if (typeof f?.name === 'string') out.set(f.name, f.stringValue ?? f.numberValue);
  const values = p.values as Record<string, { name?: unknown; value?: unknown }[] | undefined> | undefined;
  for (const list of Object.values(values ?? {})) {
    if (!Array.isArray(list)) continue;
    for (const v of list) if (typeof v?.name === 'string') out.set(v.name, v.value);
  }
  return out;
}

const FIELD = String.raw`((?:\.[A-Za-z_$][\w$]*|\[\s*(?:"[^"]+"|'[^']+')\s*\])+)`;
const NAMED_NODE = [
  new RegExp(
    String.raw`^\$\(\s*(?:"([^"]+)"|'([^']+)')\s*\)\s*\.(?:first\(\s*\)|last\(\s*\)|item|all\(\s*\)\s*\[\s*0\s*\])\s*\.json${FIELD}$`,
  ),
  new RegExp(String.raw`^\$node\s*\[\s*(?:"([^"]+)"|'([^']+)')\s*\]\s*\.json${FIELD}$`),
  new RegExp(String.raw`^\$items\(\s*(?:"([^"]+)"|'([^']+)')\s*\)\s*\[\s*0\s*\]\s*\.json${FIELD}$`),
];
const CURRENT_ITEM = new RegExp(String.raw`^(?:\$json|\$input\.(?:first\(\s*\)|last\(\s*\)|item)\.json)${FIELD}$`);

/** `.a.b["c"]` → "a.b.c" */
function fieldPath(raw: string): string {
  return [...raw.matchAll(/\.([A-Za-z_$][\w$]*)|\[\s*(?:"([^"]+)"|'([^']+)')\s*\]/g)].map((m) => m[1] ?? m[2] ?? m[3]).join('.');
}

function valueOn(node: AuditNode | undefined, field: string): unknown {
  if (!node) return undefined;
  return setValues(node).get(field);
}

/** One `{{ … }}` body → its literal value, or undefined. */
function resolveExpression(expr: string, at: string, ctx: ExpressionContext, depth: number): string | undefined {
  const e = expr.trim();
  // A quoted literal inside braces: {{ "https://x" }}
  const quoted = /^(?:"([^"]*)"|'([^']*)')$/.exec(e);
  if (quoted) return quoted[1] ?? quoted[2];
  for (const re of NAMED_NODE) {
    const m = re.exec(e);
    if (m) return literal(valueOn(ctx.nodes.get(m[1] ?? m[2]), fieldPath(m[3])), m[1] ?? m[2], ctx, depth);
  }
  const cur = CURRENT_ITEM.exec(e);
  if (cur) {
    const field = fieldPath(cur[1]);
    for (const up of ctx.upstream(at)) {
      const v = valueOn(ctx.nodes.get(up), field);
      if (v !== undefined) return literal(v, up, ctx, depth);
    }
  }
  return undefined;
}

function literal(v: unknown, at: string, ctx: ExpressionContext, depth: number): string | undefined {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return undefined;
  if (!v.startsWith('=')) return v;
  const r = resolveText(v, at, ctx, depth + 1);
  return r.unresolved.length ? undefined : r.text;
}

function resolveText(
  raw: string,
  at: string,
  ctx: ExpressionContext,
  depth: number,
): { text: string; unresolved: string[]; shown: string } {
  if (!raw.startsWith('=')) return { text: raw, unresolved: [], shown: raw };
  const body = raw.slice(1);
  const unresolved: string[] = [];
  let text = '';
  let shown = '';
  let last = 0;
  for (const m of body.matchAll(/\{\{([\s\S]*?)\}\}/g)) {
    text += body.slice(last, m.index);
    shown += body.slice(last, m.index);
    const value = depth < MAX_DEPTH ? resolveExpression(m[1], at, ctx, depth) : undefined;
    if (value === undefined) {
      unresolved.push(`{{${m[1]}}}`);
      text += HOLE;
      shown += `{{${m[1]}}}`;
    } else {
      text += value;
      shown += value;
    }
    last = m.index! + m[0].length;
  }
  text += body.slice(last);
  shown += body.slice(last);
  return { text, unresolved, shown };
}

export function resolveUrl(raw: unknown, at: string, ctx: ExpressionContext): ResolvedUrl | undefined {
  if (typeof raw !== 'string' || raw.trim() === '' || raw.trim() === '=') return undefined;
  const { text, unresolved, shown } = resolveText(raw.trim(), at, ctx, 0);
  const t = text.trim();
  const m = /^(?:([a-z][a-z0-9+.-]*):)?\/\/([^/?#]*)(.*)$/i.exec(t) ?? /^()([^/?#:]+\.[^/?#]+)(.*)$/.exec(t);
  const display = shown.trim();
  if (!m) return { url: display, unresolved: unresolved.length ? unresolved : [display] };
  const authority = m[2];
  const rest = m[3] ?? '';
  if (authority.includes(HOLE) || authority === '') return { url: display, unresolved: unresolved.length ? unresolved : [display] };
  const host = authority.replace(/^[^@]*@/, '').toLowerCase();
  const path = rest.split(HOLE).join('{{…}}');
  return { url: display, host, path, unresolved };
}
