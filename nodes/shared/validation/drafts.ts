/**
 * Which JSON Schema draft a schema is written in. The schema's own `$schema` wins (that is what the
 * spec says it is for); the node's "Default Draft" only applies to schemas that do not declare one.
 */
export type Draft = '2020-12' | '2019-09' | '7';

export const DRAFTS: readonly Draft[] = ['2020-12', '2019-09', '7'];

/** What people write in `$schema`, with and without the trailing `#`, http or https. */
const META_URIS: Record<string, Draft> = {
  'json-schema.org/draft/2020-12/schema': '2020-12',
  'json-schema.org/draft/2019-09/schema': '2019-09',
  'json-schema.org/draft-07/schema': '7',
};

export type DraftDetection = { draft: Draft } | { problem: string };

export function detectDraft(schema: unknown, fallback: Draft): DraftDetection {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return { draft: fallback };
  const declared = (schema as { $schema?: unknown }).$schema;
  if (declared === undefined) return { draft: fallback };
  if (typeof declared !== 'string') return { problem: '"$schema" must be a text URI such as https://json-schema.org/draft/2020-12/schema' };
  const normalised = declared
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/#$/, '');
  const draft = META_URIS[normalised];
  if (draft) return { draft };
  return {
    problem: `"$schema" is ${JSON.stringify(declared)}, a draft this node does not support. Use draft 2020-12, 2019-09 or 7 (e.g. https://json-schema.org/draft/2020-12/schema), or remove "$schema" to use the Default Draft.`,
  };
}
