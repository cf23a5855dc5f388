/**
 * Text the stores can keep, checked at the API edge before anything is written. Postgres refuses a
 * NUL character in text (and in JSON), and an unpaired UTF-16 surrogate is not Unicode at all (it
 * reaches Postgres as U+FFFD, silently changed); SQLite would store both. Refusing them here, with
 * the field named, keeps the two stores in agreement and a batch all-or-nothing.
 */
import type { ApiProblem } from './errors';

// Most text holds neither a NUL nor a surrogate: one character class rules it out. Otherwise: a
// NUL, a high surrogate without a low one after it, or a low surrogate without a high one before.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const SUSPECT = /[\u0000\ud800-\udfff]/;
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const BAD_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const hex = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`;

/** What is wrong with one string, or undefined when it is fine. */
export function textProblem(value: string): string | undefined {
  if (!SUSPECT.test(value)) return undefined;
  const match = BAD_TEXT.exec(value);
  if (!match) return undefined;
  const at = `at character ${match.index + 1}`;
  if (match[0] === '\u0000') return `holds a NUL character (\\u0000) ${at}, which cannot be stored; remove it`;
  return `holds an unpaired surrogate (${hex(match[0].charCodeAt(0))}) ${at}: it is not valid Unicode text; send the text as UTF-8`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Where a value sits; the path text is only built for the one value that is refused. */
interface Place {
  parent?: Place;
  key?: string | number;
}

/** `items[3].key`, `context.row["na\u0000me"]`: the path as a person would write it, escaped. */
function pathOf(place: Place, root: string): string {
  const keys: (string | number)[] = [];
  for (let p: Place | undefined = place; p?.key !== undefined; p = p.parent) keys.unshift(p.key);
  let out = root;
  for (const key of keys) {
    out =
      typeof key === 'number' ? `${out}[${key}]` : IDENTIFIER.test(key) ? (out ? `${out}.${key}` : key) : `${out}[${JSON.stringify(key)}]`;
  }
  return out || '(body)';
}

/**
 * The first bad string in a JSON-like value (its keys included), with its path. Iterative, so a
 * deeply nested body cannot overflow the stack; each string is scanned once.
 */
export function findBadText(value: unknown, root = ''): ApiProblem | undefined {
  const stack: [unknown, Place][] = [[value, {}]];
  while (stack.length) {
    const [v, place] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { path: pathOf(place, root), message: problem };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const item: unknown = v[i];
        // Strings and numbers are most of a batch: checked here without a stack entry each.
        if (typeof item === 'string') {
          const problem = textProblem(item);
          if (problem) return { path: pathOf({ parent: place, key: i }, root), message: problem };
        } else if (item !== null && typeof item === 'object') stack.push([item, { parent: place, key: i }]);
      }
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (const key of keys) {
        const problem = textProblem(key);
        if (problem) return { path: pathOf({ parent: place, key }, root), message: `(a key) ${problem}` };
      }
      for (let i = keys.length - 1; i >= 0; i--) stack.push([(v as Record<string, unknown>)[keys[i]], { parent: place, key: keys[i] }]);
    }
  }
  return undefined;
}
