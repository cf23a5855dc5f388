// Runs the validator exactly as Preflight Validate configures it (createSchemaCompiler →
// createAjv) over the official JSON-Schema-Test-Suite: required tests of drafts 2020-12, 2019-09
// and 7. `remotes/` is served by a local HTTP server standing in for http://localhost:1234.
// The suite is vendored in test/fixtures/json-schema-test-suite (UPSTREAM.md names the commit).
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { createSchemaCompiler } from '../../nodes/shared/validation/schema-compiler';
import type { Draft } from '../../nodes/shared/validation/drafts';

const suiteRoot = path.resolve(__dirname, '..', 'fixtures', 'json-schema-test-suite');
const REMOTE_BASE = 'http://localhost:1234/';

const DRAFTS: Array<{ folder: string; draft: Draft }> = [
  { folder: 'draft2020-12', draft: '2020-12' },
  { folder: 'draft2019-09', draft: '2019-09' },
  { folder: 'draft7', draft: '7' },
];

const WHY = {
  format:
    "Formats are asserted on purpose (pre-flight exists to stop an invalid email or date); the spec's default makes format an annotation only.",
  dyn: 'Ajv 8 implements $dynamicRef/$dynamicAnchor only for the recursive-extension pattern, not general dynamic scope resolution.',
  uneval:
    "Ajv's unevaluatedItems/unevaluatedProperties do not collect annotations from contains, from an if without then/else, or from nested items.",
  enum: 'Ajv refuses `enum: []` when compiling; the node reports such a schema (which accepts nothing) as a schema mistake before any item runs.',
  proto:
    'Ajv looks fields up with data[name], which also sees inherited names (toString, constructor, __proto__). Its ownProperties option fixes this but costs ~17% throughput on every item, and deal records never use such names.',
  relref:
    'Ajv overflows its stack resolving these nested relative $id/$ref (and URN) combinations; the node reports the schema as unusable instead of crashing.',
  recref: 'Ajv resolves $recursiveRef to the outer $recursiveAnchor even when the initial target has none.',
  vocab: 'Custom meta-schemas are refused: the node downloads nothing and Ajv does not implement $vocabulary.',
  d7ref: 'Draft 7 says keywords beside $ref are ignored; Ajv 8 applies them.',
};

/**
 * Tests we knowingly fail, matched as "<folder>/<file> › <group>[ › <test>]" prefixes. Each says why.
 * A listed test that starts passing fails this suite too, so the list never goes stale.
 */
const EXCLUSIONS: Array<{ match: string; reason: string }> = [
  { match: 'draft2019-09/enum.json › empty enum', reason: WHY.enum },
  { match: 'draft2019-09/properties.json › properties whose names are Javascript object property names', reason: WHY.proto },
  { match: 'draft2019-09/required.json › required properties whose names are Javascript object property names', reason: WHY.proto },
  {
    match: 'draft2019-09/recursiveRef.json › $recursiveRef with no $recursiveAnchor in the initial target schema resource',
    reason: WHY.recref,
  },
  { match: 'draft2019-09/ref.json › URN ref with nested pointer ref', reason: WHY.relref },
  { match: 'draft2019-09/ref.json › refs with relative uris and defs', reason: WHY.relref },
  { match: 'draft2019-09/ref.json › relative refs with absolute uris and defs', reason: WHY.relref },
  { match: 'draft2019-09/unevaluatedItems.json › unevaluatedItems can see annotations from if without then and else', reason: WHY.uneval },
  { match: 'draft2019-09/unevaluatedItems.json › unevaluatedItems with nested items', reason: WHY.uneval },
  {
    match: 'draft2019-09/unevaluatedProperties.json › unevaluatedProperties can see annotations from if without then and else',
    reason: WHY.uneval,
  },
  { match: 'draft2019-09/unevaluatedProperties.json › unevaluatedProperties with if/then/else, then not defined', reason: WHY.uneval },
  { match: 'draft2019-09/vocabulary.json › ignore unrecognized optional vocabulary', reason: WHY.vocab },
  { match: 'draft2019-09/vocabulary.json › schema that uses custom metaschema with with no validation vocabulary', reason: WHY.vocab },
  { match: 'draft2020-12/dynamicRef.json › $dynamicRef avoids the root of each schema, but scopes are still registered', reason: WHY.dyn },
  { match: 'draft2020-12/dynamicRef.json › $dynamicRef points to a boolean schema', reason: WHY.dyn },
  { match: 'draft2020-12/dynamicRef.json › $dynamicRef skips over intermediate resources - direct reference', reason: WHY.dyn },
  { match: 'draft2020-12/dynamicRef.json › $ref and $dynamicAnchor are independent of order - $defs first', reason: WHY.dyn },
  { match: 'draft2020-12/dynamicRef.json › $ref and $dynamicAnchor are independent of order - $ref first', reason: WHY.dyn },
  { match: 'draft2020-12/dynamicRef.json › $ref to $dynamicRef finds detached $dynamicAnchor', reason: WHY.dyn },
  {
    match:
      'draft2020-12/dynamicRef.json › A $dynamicRef resolves to the first $dynamicAnchor still in scope that is encountered when the schema is evaluated',
    reason: WHY.dyn,
  },
  {
    match:
      'draft2020-12/dynamicRef.json › A $dynamicRef that initially resolves to a schema with a matching $dynamicAnchor resolves to the first $dynamicAnchor in the dynamic scope',
    reason: WHY.dyn,
  },
  {
    match:
      'draft2020-12/dynamicRef.json › A $dynamicRef that initially resolves to a schema without a matching $dynamicAnchor behaves like a normal $ref to $anchor',
    reason: WHY.dyn,
  },
  {
    match:
      'draft2020-12/dynamicRef.json › A $dynamicRef to a $dynamicAnchor in the same schema resource behaves like a normal $ref to an $anchor',
    reason: WHY.dyn,
  },
  {
    match:
      'draft2020-12/dynamicRef.json › A $dynamicRef to an $anchor in the same schema resource behaves like a normal $ref to an $anchor',
    reason: WHY.dyn,
  },
  {
    match:
      'draft2020-12/dynamicRef.json › A $dynamicRef with a non-matching $dynamicAnchor in the same schema resource behaves like a normal $ref to $anchor',
    reason: WHY.dyn,
  },
  {
    match:
      "draft2020-12/dynamicRef.json › A $dynamicRef with intermediate scopes that don't include a matching $dynamicAnchor does not affect dynamic scope resolution",
    reason: WHY.dyn,
  },
  {
    match:
      'draft2020-12/dynamicRef.json › A $dynamicRef without a matching $dynamicAnchor in the same schema resource behaves like a normal $ref to $anchor',
    reason: WHY.dyn,
  },
  { match: 'draft2020-12/dynamicRef.json › A $dynamicRef without anchor in fragment behaves identical to $ref', reason: WHY.dyn },
  {
    match: 'draft2020-12/dynamicRef.json › An $anchor with the same name as a $dynamicAnchor is not used for dynamic scope resolution',
    reason: WHY.dyn,
  },
  { match: 'draft2020-12/dynamicRef.json › after leaving a dynamic scope, it is not used by a $dynamicRef', reason: WHY.dyn },
  { match: 'draft2020-12/dynamicRef.json › multiple dynamic paths to the $dynamicRef keyword', reason: WHY.dyn },
  { match: 'draft2020-12/dynamicRef.json › tests for implementation dynamic anchor and reference link', reason: WHY.dyn },
  { match: 'draft2020-12/enum.json › empty enum', reason: WHY.enum },
  { match: 'draft2020-12/format.json › date format › invalid date string is only an annotation by default', reason: WHY.format },
  { match: 'draft2020-12/format.json › date-time format › invalid date-time string is only an annotation by default', reason: WHY.format },
  { match: 'draft2020-12/format.json › duration format › invalid duration string is only an annotation by default', reason: WHY.format },
  { match: 'draft2020-12/format.json › email format › invalid email string is only an annotation by default', reason: WHY.format },
  { match: 'draft2020-12/format.json › hostname format › invalid hostname string is only an annotation by default', reason: WHY.format },
  { match: 'draft2020-12/format.json › ipv4 format › invalid ipv4 string is only an annotation by default', reason: WHY.format },
  { match: 'draft2020-12/format.json › ipv6 format › invalid ipv6 string is only an annotation by default', reason: WHY.format },
  {
    match: 'draft2020-12/format.json › json-pointer format › invalid json-pointer string is only an annotation by default',
    reason: WHY.format,
  },
  { match: 'draft2020-12/format.json › regex format › invalid regex string is only an annotation by default', reason: WHY.format },
  {
    match:
      'draft2020-12/format.json › relative-json-pointer format › invalid relative-json-pointer string is only an annotation by default',
    reason: WHY.format,
  },
  { match: 'draft2020-12/format.json › time format › invalid time string is only an annotation by default', reason: WHY.format },
  { match: 'draft2020-12/format.json › uri format › invalid uri string is only an annotation by default', reason: WHY.format },
  {
    match: 'draft2020-12/format.json › uri-reference format › invalid uri-reference string is only an annotation by default',
    reason: WHY.format,
  },
  {
    match: 'draft2020-12/format.json › uri-template format › invalid uri-template string is only an annotation by default',
    reason: WHY.format,
  },
  { match: 'draft2020-12/format.json › uuid format › invalid uuid string is only an annotation by default', reason: WHY.format },
  { match: 'draft2020-12/properties.json › properties whose names are Javascript object property names', reason: WHY.proto },
  { match: 'draft2020-12/required.json › required properties whose names are Javascript object property names', reason: WHY.proto },
  { match: 'draft2020-12/ref.json › URN ref with nested pointer ref', reason: WHY.relref },
  { match: 'draft2020-12/ref.json › refs with relative uris and defs', reason: WHY.relref },
  { match: 'draft2020-12/ref.json › relative refs with absolute uris and defs', reason: WHY.relref },
  {
    match: 'draft2020-12/unevaluatedItems.json › unevaluatedItems and contains interact to control item dependency relationship',
    reason: WHY.uneval,
  },
  { match: 'draft2020-12/unevaluatedItems.json › unevaluatedItems can see annotations from if without then and else', reason: WHY.uneval },
  { match: 'draft2020-12/unevaluatedItems.json › unevaluatedItems depends on adjacent contains', reason: WHY.uneval },
  { match: 'draft2020-12/unevaluatedItems.json › unevaluatedItems depends on multiple nested contains', reason: WHY.uneval },
  { match: 'draft2020-12/unevaluatedItems.json › unevaluatedItems with $dynamicRef', reason: WHY.dyn },
  { match: 'draft2020-12/unevaluatedItems.json › unevaluatedItems with minContains = 0', reason: WHY.uneval },
  { match: 'draft2020-12/unevaluatedItems.json › unevaluatedItems with nested items', reason: WHY.uneval },
  {
    match: 'draft2020-12/unevaluatedProperties.json › unevaluatedProperties can see annotations from if without then and else',
    reason: WHY.uneval,
  },
  { match: 'draft2020-12/unevaluatedProperties.json › unevaluatedProperties with $dynamicRef', reason: WHY.dyn },
  { match: 'draft2020-12/unevaluatedProperties.json › unevaluatedProperties with if/then/else, then not defined', reason: WHY.uneval },
  { match: 'draft2020-12/vocabulary.json › ignore unrecognized optional vocabulary', reason: WHY.vocab },
  { match: 'draft2020-12/vocabulary.json › schema that uses custom metaschema with with no validation vocabulary', reason: WHY.vocab },
  { match: 'draft7/properties.json › properties whose names are Javascript object property names', reason: WHY.proto },
  { match: 'draft7/required.json › required properties whose names are Javascript object property names', reason: WHY.proto },
  { match: 'draft7/ref.json › $ref prevents a sibling $id from changing the base uri', reason: WHY.d7ref },
  { match: 'draft7/ref.json › ref overrides any sibling keywords', reason: WHY.d7ref },
];

interface Outcome {
  id: string;
  passed: boolean;
  detail?: string;
}

let server: Server;
let serverBase = '';
const fetched = new Map<string, unknown>();

async function loadRemote(uri: string): Promise<object> {
  if (!uri.startsWith(REMOTE_BASE)) throw new Error(`Only ${REMOTE_BASE} remotes are served in this test, not ${uri}`);
  const local = serverBase + uri.slice(REMOTE_BASE.length);
  if (!fetched.has(local)) {
    const response = await fetch(local);
    if (!response.ok) throw new Error(`Remote ${uri} answered HTTP ${response.status}`);
    fetched.set(local, await response.json());
  }
  // A fresh copy each time: Ajv keeps the object it compiles.
  return structuredClone(fetched.get(local)) as object;
}

async function runDraft(folder: string, draft: Draft): Promise<Outcome[]> {
  const compiler = createSchemaCompiler({ loadSchema: loadRemote });
  const dir = path.join(suiteRoot, 'tests', folder);
  const outcomes: Outcome[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const groups = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Array<{
      description: string;
      schema: unknown;
      tests: Array<{ description: string; data: unknown; valid: boolean }>;
    }>;
    for (const group of groups) {
      const groupId = `${folder}/${file} › ${group.description}`;
      let validate: ((data: unknown) => boolean) | undefined;
      let compileError = '';
      try {
        validate = (await compiler.compileAsync(group.schema, draft)).validate;
      } catch (error) {
        compileError = (error as Error).message;
      }
      for (const test of group.tests) {
        const id = `${groupId} › ${test.description}`;
        if (!validate) {
          outcomes.push({ id, passed: false, detail: `schema rejected: ${compileError}` });
          continue;
        }
        let valid: boolean;
        try {
          valid = validate(test.data);
        } catch (error) {
          outcomes.push({ id, passed: false, detail: `threw: ${(error as Error).message}` });
          continue;
        }
        outcomes.push({
          id,
          passed: valid === test.valid,
          detail: valid === test.valid ? undefined : `expected valid=${test.valid}, got ${valid}`,
        });
      }
    }
  }
  return outcomes;
}

const exclusionFor = (id: string) => EXCLUSIONS.find((e) => id === e.match || id.startsWith(`${e.match} › `));

beforeAll(async () => {
  const remotes = path.join(suiteRoot, 'remotes');
  server = createServer((req, res) => {
    const file = path.join(remotes, decodeURIComponent((req.url ?? '/').split('?')[0]));
    if (!file.startsWith(remotes + path.sep)) {
      res.statusCode = 403;
      res.end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.setHeader('content-type', 'application/json');
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('JSON Schema conformance (validator as the node configures it)', () => {
  it('finds the test suite', () => {
    expect(readdirSync(path.join(suiteRoot, 'tests'))).toEqual(expect.arrayContaining(DRAFTS.map((d) => d.folder)));
  });

  it.each(DRAFTS)(
    'passes every required test of $folder except the listed exclusions',
    async ({ folder, draft }) => {
      const outcomes = await runDraft(folder, draft);
      const passed = outcomes.filter((o) => o.passed).length;
      const excluded = outcomes.filter((o) => !o.passed && exclusionFor(o.id));
      const unexpected = outcomes.filter((o) => !o.passed && !exclusionFor(o.id)).map((o) => `${o.id}: ${o.detail}`);
      // An exclusion whose tests all pass is stale: remove it so the list stays true.
      const stale = EXCLUSIONS.filter((e) => e.match.startsWith(`${folder}/`))
        .filter((e) => !outcomes.some((o) => !o.passed && (o.id === e.match || o.id.startsWith(`${e.match} › `))))
        .map((e) => e.match);

      console.log(`${folder}: ${passed}/${outcomes.length} required tests pass (${excluded.length} excluded failures)`);
      expect(outcomes.length).toBeGreaterThan(500);
      expect(unexpected).toEqual([]);
      expect(stale).toEqual([]);
    },
    120_000,
  );
});
