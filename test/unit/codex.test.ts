/**
 * Findable in the nodes panel (issue 15): every node ships a codex file (X.node.json beside
 * X.node.js) with categories, the aliases people type, and a documentation link to its own section;
 * the build copies it into dist, where n8n-core's own loader reads it. Every documentation link of a
 * node or credential lands on a heading that exists (README.md, or docs/n8n-editor.md until that
 * text is folded into the README).
 */
import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { ICredentialType, INodeType } from 'n8n-workflow';
import { DirectoryLoader } from 'n8n-core';

const ROOT = path.join(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  homepage: string;
  n8n: { nodes: string[]; credentials: string[] };
};
/** The repository's page, where GitHub renders README.md and its heading anchors. */
const REPO_PAGE = pkg.homepage.replace(/#.*$/, '');

/** The categories n8n's nodes panel knows (docs: "Node codex files"). */
const CATEGORIES = [
  'Data & Storage',
  'Finance & Accounting',
  'Marketing & Content',
  'Productivity',
  'Miscellaneous',
  'Sales',
  'Development',
  'Analytics',
  'Communication',
  'Utility',
];

/** Aliases each node must carry (issue 15), and words ops people typed in the panel that found nothing before. */
const REQUIRED: Record<string, { aliases: string[]; typed: string[] }> = {
  IdempotencyGate: { aliases: ['Dedupe', 'Deduplicate', 'Unique', 'Idempotent'], typed: ['dedupe', 'duplicate'] },
  ResilientRequest: { aliases: ['Retry', 'Backoff', 'HTTP'], typed: ['retry'] },
  PreflightValidate: { aliases: ['Schema', 'JSON Schema', 'Validate'], typed: ['schema'] },
  QaVerify: { aliases: ['Check', 'Compare', 'Reconcile'], typed: ['reconcile'] },
  ExceptionRouter: { aliases: ['Error', 'Incident', 'Alert', 'Route'], typed: ['incident'] },
};

interface Codex {
  node: string;
  nodeVersion: string;
  codexVersion: string;
  categories: string[];
  alias: string[];
  resources: { primaryDocumentation: { url: string }[]; credentialDocumentation?: { url: string }[] };
}

const folders = pkg.n8n.nodes.map((p) => path.basename(p, '.node.js'));
const codexOf = (folder: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'nodes', folder, `${folder}.node.json`), 'utf8')) as Codex;
const nodeOf = (folder: string): INodeType => new (require(path.join(ROOT, 'nodes', folder, `${folder}.node`))[folder])();

/** GitHub's heading anchors (github-slugger): lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}
const DOCS = ['README.md', 'docs/n8n-editor.md'].filter((f) => fs.existsSync(path.join(ROOT, f)));
const known = new Set(DOCS.flatMap((f) => [...anchors(fs.readFileSync(path.join(ROOT, f), 'utf8'))]));

/** A documentation link: the repository's page and a heading that exists. */
function expectDocLink(url: string) {
  const [page, anchor] = url.split('#');
  expect(page).toBe(REPO_PAGE);
  expect({ url, anchorExists: Boolean(anchor) && known.has(anchor) }).toEqual({ url, anchorExists: true });
}

it('every node listed in package.json has a codex file, and only those', () => {
  expect(folders.sort()).toEqual(Object.keys(REQUIRED).sort());
  const codexFiles = fs
    .readdirSync(path.join(ROOT, 'nodes'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.node.json'));
  expect(codexFiles.map((f) => path.basename(f, '.node.json')).sort()).toEqual([...folders].sort());
});

describe.each(Object.keys(REQUIRED))('%s codex', (folder) => {
  const codex = codexOf(folder);
  const node = nodeOf(folder);

  it('names the node and its current version', () => {
    expect(codex.node).toBe(`${pkg.name}.${node.description.name}`);
    expect(Number(codex.nodeVersion)).toBe(Math.max(...[node.description.version].flat()));
    expect(codex.codexVersion).toBe('1.0');
  });

  it("puts it in the nodes panel's own categories", () => {
    expect(codex.categories.length).toBeGreaterThan(0);
    for (const c of codex.categories) expect(CATEGORIES).toContain(c);
  });

  it('carries the aliases people search for, and the words typed in the panel find it', () => {
    const aliases = codex.alias.map((a) => a.toLowerCase());
    for (const a of REQUIRED[folder].aliases) expect(aliases).toContain(a.toLowerCase());
    expect(new Set(aliases).size).toBe(aliases.length);
    const searchable = [node.description.displayName, ...codex.alias].map((s) => s.toLowerCase());
    for (const word of REQUIRED[folder].typed)
      expect({ word, found: searchable.some((s) => s.includes(word)) }).toEqual({ word, found: true });
  });

  it("links to the node's own documentation section, and to its credentials'", () => {
    expect(codex.resources.primaryDocumentation).toHaveLength(1);
    expectDocLink(codex.resources.primaryDocumentation[0].url);
    const anchor = codex.resources.primaryDocumentation[0].url.split('#')[1];
    expect(anchor).toBe(node.description.displayName.toLowerCase().replace(/ /g, '-'));
    const credentialLinks = codex.resources.credentialDocumentation ?? [];
    expect(credentialLinks.length).toBeGreaterThan(0);
    for (const { url } of credentialLinks) expectDocLink(url);
  });
});

it("every credential's documentation link lands on a heading that exists", () => {
  for (const file of pkg.n8n.credentials) {
    const cls = path.basename(file, '.credentials.js');
    const credential = new (require(path.join(ROOT, 'credentials', `${cls}.credentials`))[cls])() as ICredentialType;
    expectDocLink(String(credential.documentationUrl));
  }
});

describe('the build', () => {
  it('copies every codex file (and the icons) into dist, where n8n-core reads it', () => {
    // The real gulp task, in a scratch tree: nodes/ and credentials/ as sources, dist/ as output.
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-codex-'));
    try {
      for (const dir of ['nodes', 'credentials']) fs.cpSync(path.join(ROOT, dir), path.join(tree, dir), { recursive: true });
      const gulp = spawnSync(
        process.execPath,
        [path.join(ROOT, 'node_modules/gulp/bin/gulp.js'), '--gulpfile', path.join(ROOT, 'gulpfile.js'), '--cwd', tree, 'build:icons'],
        { encoding: 'utf8' },
      );
      expect({ status: gulp.status, stderr: gulp.stderr }).toEqual({ status: 0, stderr: '' });
      for (const folder of folders) {
        const built = path.join(tree, 'dist', 'nodes', folder, `${folder}.node.json`);
        expect(fs.readFileSync(built, 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'nodes', folder, `${folder}.node.json`), 'utf8'));
        // n8n-core's DirectoryLoader reads the codex beside the node's JavaScript (X.node.js → X.node.json).
        const loader = Object.create(DirectoryLoader.prototype) as {
          directory: string;
          getCodex(file: string): { alias?: string[]; categories?: string[]; resources: unknown };
        };
        loader.directory = tree;
        const read = loader.getCodex(`dist/nodes/${folder}/${folder}.node.js`);
        expect(read).toEqual({
          categories: codexOf(folder).categories,
          alias: codexOf(folder).alias,
          resources: codexOf(folder).resources,
        });
      }
      const icons = fs.readdirSync(path.join(tree, 'dist', 'credentials')).filter((f) => f.endsWith('.svg'));
      expect(icons.length).toBe(fs.readdirSync(path.join(ROOT, 'credentials')).filter((f) => f.endsWith('.svg')).length);
    } finally {
      fs.rmSync(tree, { recursive: true, force: true });
    }
  });
});
