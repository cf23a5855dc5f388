/**
 * The pack in the real n8n editor (issue 15, item 5): n8n 2.41.1 with the packed node package, the
 * shipped kickoff imported and published through the public API, a monitor on the shipped contract
 * (the pack's handoff pickers list from it), driven in headless Chromium (Debian's, by playwright-core)
 * as an ops person would use it:
 *
 * - the node panel finds the Idempotency Gate by "dedupe" and the Exception Router by "incident";
 * - the kickoff canvas shows every sticky note of the template, each with its title, on screen;
 * - opening a node of each of the five pack types shows exactly the notices and hints its
 *   description declares for its values (read from the built descriptions, conditions evaluated as
 *   n8n does), and picking a risky option shows its warning;
 * - nothing but n8n's own known noise reaches the browser console.
 *
 * Screenshots land in test-artifacts/editor/ (git-ignored); afterAll prints one line per screenshot.
 */
import fs from 'fs';
import path from 'path';
import type { INode, INodeParameters, INodeType, NodeHint } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';
import { chromium, selectors, type Browser, type ConsoleMessage, type Locator, type Page } from 'playwright-core';
import { E2E_TIMEOUT_MS, N8nInstance, startN8n } from '../harness/n8n';
import { REPO_ROOT } from '../harness/pack';
import { stopAllServices } from '../harness/processes';
import { AgencyMock, startAgencyMock } from '../mocks/agency';
import {
  createTemplateCredentials,
  deployKickoff,
  loadTemplate,
  startTemplateMonitor,
  TemplateMonitor,
  TemplateNode,
} from './support/templates';

jest.setTimeout(E2E_TIMEOUT_MS);

const SHOTS = path.join(REPO_ROOT, 'test-artifacts', 'editor');
const KICKOFF_FILE = 'sales-to-delivery-kickoff.json';
const STICKY_TYPE = 'n8n-nodes-base.stickyNote';
/** How long the editor gets to render one thing we wait for (a panel, a node's view, a search result). */
const UI_TIMEOUT_MS = 15_000;
/** n8n's Production Checklist pops up within ~0.1 s of the canvas; this only bounds the wait if a version stops showing it. */
const CHECKLIST_TIMEOUT_MS = 5_000;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

// The functions given to page.waitForFunction / locator.evaluate run in Chromium, not in Node. These
// are the browser globals they use, typed here for this file only: the DOM lib (`/// <reference lib="dom" />`)
// would apply to the whole type-checked program and turn every test's fetch `res.json()` into `any`.
interface BrowserElement {
  readonly tagName: string;
  getAttribute(name: string): string | null;
  closest(selector: string): BrowserElement | null;
  contains(other: BrowserElement): boolean;
}
interface BrowserRange {
  selectNodeContents(node: BrowserElement): void;
  getBoundingClientRect(): { top: number; left: number; right: number; width: number; height: number };
}
declare const document: {
  querySelector(selector: string): BrowserElement | null;
  querySelectorAll(selector: string): { readonly length: number };
  createRange(): BrowserRange;
  elementsFromPoint(x: number, y: number): BrowserElement[];
};
declare const window: object;

// ---------------------------------------------------------------------------------------------
// What the pack declares: the built node classes n8n loads (package.json → n8n.nodes, in dist/).
// ---------------------------------------------------------------------------------------------

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; n8n: { nodes: string[] } };
/** Full node type name (n8n-nodes-handoff-guard.idempotencyGate) → the node class as n8n loads it. */
const packTypes: Map<string, INodeType> = new Map(
  pkg.n8n.nodes.map((rel) => {
    const cls = path.basename(rel, '.node.js');
    const node = new (require(path.join(REPO_ROOT, rel))[cls])() as INodeType;
    return [`${pkg.name}.${node.description.name}`, node];
  }),
);
const packNode = (name: string) => [...packTypes.values()].find((n) => n.description.name === name)!;

const kickoff = loadTemplate(KICKOFF_FILE);
const stickies = kickoff.nodes.filter((n) => n.type === STICKY_TYPE);
/** The first node of each pack type on the kickoff canvas, in the template's order. */
const packNodesOnKickoff: TemplateNode[] = [...packTypes.keys()].map((type) => kickoff.nodes.find((n) => n.type === type)!).filter(Boolean);

/** The node as the editor holds it, with other parameter values (a choice made in the editor). */
function asNode(t: TemplateNode, changes: INodeParameters = {}): INode {
  return {
    id: t.id ?? t.name,
    name: t.name,
    type: t.type,
    typeVersion: t.typeVersion,
    position: t.position,
    parameters: { ...(t.parameters as INodeParameters), ...changes },
  };
}

/** The notices n8n shows among the parameters: top-level `notice` properties whose displayOptions match (defaults filled in as n8n does). */
function expectedNotices(node: INode): string[] {
  const { description } = packTypes.get(node.type)!;
  const resolved = NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, node, description)!;
  return description.properties
    .filter((p) => p.type === 'notice' && NodeHelpers.displayParameter(resolved, p, node, description))
    .map((p) => p.displayName);
}

/**
 * The hints the node view shows before the node has run: every hint that is not afterExecution-only
 * and whose displayCondition (an n8n expression over $parameter) n8n's own expression code makes true.
 */
function expectedHints(node: INode): string[] {
  const type = packTypes.get(node.type)!;
  const nodeTypes = { getByName: () => type, getByNameAndVersion: () => type, getKnownTypes: () => ({}) };
  const wf = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: nodeTypes as never });
  return (type.description.hints ?? [])
    .filter((h: NodeHint) => h.whenToDisplay !== 'afterExecution')
    .filter(
      (h: NodeHint) => !h.displayCondition || wf.expression.getSimpleParameterValue(node, h.displayCondition, 'internal', {}) === true,
    )
    .map((h: NodeHint) => h.message);
}

/** The display name n8n gives an option of a pack node's parameter (what the dropdown lists). */
function optionName(node: TemplateNode, parameter: string, value: string): string {
  const prop = packTypes.get(node.type)!.description.properties.find((p) => p.name === parameter && p.type === 'options');
  const option = (prop?.options as { name: string; value: unknown }[] | undefined)?.find((o) => o.value === value);
  if (!option) throw new Error(`${node.type} has no option ${parameter} = ${value}`);
  return option.name;
}

// ---------------------------------------------------------------------------------------------
// The browser, its console, the screenshots.
// ---------------------------------------------------------------------------------------------

let mock: AgencyMock;
let monitor: TemplateMonitor;
let n8n: N8nInstance;
let kickoffId: string;
let browser: Browser;
let page: Page;
let signedIn = false;
/** What the test was doing, to say where a console error came from. */
let step = 'sign-in';
const consoleErrors: { step: string; text: string; url: string }[] = [];
const screenshots: { file: string; shows: string }[] = [];
const started = Date.now();

const norm = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = (s: string) => new RegExp(`^\\s*${escapeRe(s)}\\s*$`);

async function shot(name: string, shows: string) {
  const file = path.join(SHOTS, `${String(screenshots.length + 1).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  screenshots.push({ file: path.relative(REPO_ROOT, file), shows });
}

/**
 * n8n's own noise, which its own nodes cause as much as ours, filtered exactly and nothing else:
 * - the editor asks /schemas/<node type>/<version>.json for every node it shows (to type `$json`
 *   for autocompletion); n8n 2.41.1 serves no such file for any node, built-in or community: 404;
 * - before sign-in the editor probes its session (GET /rest/login): 401.
 * Chromium reports each as "Failed to load resource: … status of <code>" with the URL as its location.
 */
function isKnownNoise(m: ConsoleMessage): boolean {
  const url = m.location().url ?? '';
  const failed = (code: number) => m.text().startsWith(`Failed to load resource: the server responded with a status of ${code} `);
  if (failed(404) && new RegExp(`^${escapeRe(n8n.baseUrl)}/schemas/[^/]+/[0-9.]+\\.json$`).test(url)) return true;
  if (failed(401) && !signedIn && url === `${n8n.baseUrl}/rest/login`) return true;
  return false;
}

/** Waits for the locator; on time-out says what was there instead. */
async function waitFor(what: string, locator: Locator, instead: () => Promise<unknown>) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  } catch {
    throw new Error(`${what} did not appear within ${UI_TIMEOUT_MS} ms; found instead: ${JSON.stringify(await instead())}`);
  }
}

/** Waits until the canvas shows exactly n elements matching the selector; on time-out says how many it shows. */
async function waitForCount(what: string, selector: string, n: number) {
  try {
    await page.waitForFunction(([sel, count]) => document.querySelectorAll(sel).length === count, [selector, n] as const, {
      timeout: UI_TIMEOUT_MS,
    });
  } catch {
    throw new Error(`the canvas shows ${await page.locator(selector).count()} ${what} after ${UI_TIMEOUT_MS} ms, the template has ${n}`);
  }
}

const ndv = () => page.getByTestId('ndv');
const noticeTexts = async () => (await ndv().locator('.notice').allTextContents()).map(norm);
const hintTexts = async () => (await ndv().getByTestId('node-hint').allTextContents()).map(norm);

/** Opens a node's view from the canvas and waits for its parameters and its output pane to render. */
async function openNode(name: string) {
  step = `open "${name}"`;
  await page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).dblclick();
  await ndv().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await ndv().locator('[data-test-id^="parameter-input-"]').first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await ndv().getByTestId('output-panel').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
}

async function closeNode() {
  // Its close button, not Escape: after a dropdown choice, Escape goes to the focused dropdown.
  await ndv().getByTestId('ndv-close-button').click();
  await ndv().waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
}

/** Closes the node panel: clear the search, then Escape (with "No results" showing, Escape alone keeps it open). */
async function closeNodePanel() {
  await page.getByTestId('node-creator-search-bar').fill('');
  await page.keyboard.press('Escape');
  await page.getByTestId('node-creator').waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
}

/** Runs the check, then the clean-up; a clean-up that fails after a failed check does not hide the check's error. */
async function thenCleanUp(check: () => Promise<void>, cleanUp: () => Promise<void>) {
  try {
    await check();
  } catch (err) {
    await cleanUp().catch((e: Error) => console.log(`clean-up after a failed check also failed: ${e.message}`));
    throw err;
  }
  await cleanUp();
}

/** Waits for these notices and hints in the open node view, then reads every notice and hint it shows. */
async function shownGuidance(notices: string[], hints: string[]) {
  for (const text of notices)
    await waitFor(
      `notice "${text}"`,
      ndv()
        .locator('.notice')
        .filter({ hasText: exactly(text) }),
      noticeTexts,
    );
  for (const text of hints)
    await waitFor(
      `hint "${text}"`,
      ndv()
        .getByTestId('node-hint')
        .filter({ hasText: exactly(text) }),
      hintTexts,
    );
  return { notices: await noticeTexts(), hints: await hintTexts() };
}

beforeAll(async () => {
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  mock = await startAgencyMock();
  [n8n, monitor] = await Promise.all([startN8n(), startTemplateMonitor({ alertWebhookUrl: `${mock.url}/chat/webhook/owner-alerts` })]);
  const credentials = await createTemplateCredentials(n8n, monitor, 'tb-editor-test');
  ({ kickoffId } = await deployKickoff(n8n, mock, credentials));

  // n8n marks its elements with data-test-id, not data-testid.
  selectors.setTestIdAttribute('data-test-id');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !isKnownNoise(m)) consoleErrors.push({ step, text: m.text(), url: m.location().url ?? '' });
  });
  page.on('pageerror', (e) => consoleErrors.push({ step, text: `uncaught: ${e.message}`, url: page.url() }));

  await page.goto(`${n8n.baseUrl}/signin`);
  await page.getByLabel(/email/i).first().fill(n8n.owner.email);
  await page
    .getByLabel(/password/i)
    .first()
    .fill(n8n.owner.password);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/(home|workflows|projects)/, { timeout: 30_000 });
  signedIn = true;

  step = 'open the kickoff';
  await page.goto(`${n8n.baseUrl}/workflow/${kickoffId}`);
  await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  console.log(
    [
      `editor checks: ${Math.round((Date.now() - started) / 1000)} s; screenshots:`,
      ...screenshots.map((s) => `  ${s.file}: ${s.shows}`),
    ].join('\n'),
  );
  await browser?.close();
  await Promise.all([n8n?.stop(), monitor?.close(), mock?.close()]);
  await stopAllServices();
});

it('the kickoff canvas shows every sticky note of the template, each with its title, on screen', async () => {
  step = 'kickoff canvas';
  expect(stickies.length).toBeGreaterThanOrEqual(7);
  // As many sticky notes as the template has, and every other node too: the canvas is complete, not half drawn.
  await waitForCount('sticky notes', `[data-node-type="${STICKY_TYPE}"]`, stickies.length);
  await waitForCount('other nodes', '[data-test-id="canvas-node"]', kickoff.nodes.length - stickies.length);
  // The editor fits the workflow to the view on opening: wait until the viewport stops moving.
  await page.waitForFunction(
    () => {
      const w = window as unknown as { __hgTransform?: string; __hgSame?: number };
      const t = document.querySelector('.vue-flow__transformationpane')?.getAttribute('style') ?? '';
      w.__hgSame = t && t === w.__hgTransform ? (w.__hgSame ?? 0) + 1 : 0;
      w.__hgTransform = t;
      return w.__hgSame >= 3;
    },
    undefined,
    { polling: 100, timeout: UI_TIMEOUT_MS },
  );
  expect(await page.locator(`[data-node-type="${STICKY_TYPE}"]`).count()).toBe(stickies.length);

  // n8n opens its "Production Checklist" over the canvas the first time a browser sees a published
  // workflow (this fresh profile, the kickoff deployKickoff published); close it, as a person would.
  const checklistClose = page.getByTestId('suggested-actions-close');
  if (
    await checklistClose.waitFor({ state: 'visible', timeout: CHECKLIST_TIMEOUT_MS }).then(
      () => true,
      () => false,
    )
  ) {
    await checklistClose.click();
    await checklistClose.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  }

  const viewport = page.viewportSize()!;
  const seen: { name: string; title: string; onScreen: true | string }[] = [];
  for (const sticky of stickies) {
    // The title is the note's first line, a markdown heading ("## 2 · Claim").
    const title = String(sticky.parameters.content ?? '')
      .split('\n')[0]
      .replace(/^#+\s*/, '');
    const heading = page
      .locator(`[data-node-type="${STICKY_TYPE}"][data-node-name="${sticky.name}"]`)
      .locator('h1, h2, h3, h4')
      .filter({ hasText: exactly(title) });
    // On screen and not covered: at the start, middle and end of the title's text, the topmost element
    // is the title (connections are drawn over notes, with a wide invisible hit area: they do not count).
    const onScreen =
      (await heading.count()) !== 1
        ? `${await heading.count()} headings "${title}"`
        : await heading.evaluate((h: BrowserElement, vp) => {
            const range = document.createRange();
            range.selectNodeContents(h);
            const r = range.getBoundingClientRect();
            const y = r.top + r.height / 2;
            for (const x of [r.left + 1, r.left + r.width / 2, r.right - 1]) {
              if (r.width === 0 || x < 0 || y < 0 || x > vp.width || y > vp.height)
                return `off screen at ${Math.round(x)},${Math.round(y)}`;
              const top = document.elementsFromPoint(x, y).find((e) => !e.closest('.vue-flow__edges, .vue-flow__edge'));
              if (!top || !h.contains(top))
                return `covered at ${Math.round(x)},${Math.round(y)} by <${top?.tagName.toLowerCase()} class="${top?.getAttribute('class') ?? ''}">`;
            }
            return true as const;
          }, viewport);
    seen.push({ name: sticky.name, title, onScreen });
  }
  expect(seen).toEqual(seen.map((s) => ({ ...s, onScreen: true })));
  // At least the stage titles, numbered 1 to 7 in the template.
  expect(seen.filter((s) => /^\d+ · /.test(s.title)).length).toBeGreaterThanOrEqual(7);
  await shot(
    'kickoff-canvas',
    `the kickoff canvas fitted to the view: ${stickies.length} sticky notes (${seen.map((s) => s.title).join('; ')}) over its ${kickoff.nodes.length - stickies.length} nodes`,
  );
});

it.each([
  ['dedupe', packNode('idempotencyGate').description.displayName],
  ['incident', packNode('exceptionRouter').description.displayName],
])('the node panel finds the pack by what people type: "%s" lists the %s', async (word, displayName) => {
  step = `node panel "${word}"`;
  const search = page.getByTestId('node-creator-search-bar');
  await page.getByTestId('node-creator-plus-button').click();
  await search.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await thenCleanUp(async () => {
    await search.fill(word);
    const names = page.getByTestId('node-creator-item-name');
    await waitFor(`"${displayName}" in the node panel for "${word}"`, names.filter({ hasText: exactly(displayName) }), async () => ({
      listed: await names.allTextContents(),
      noResults: await page.getByTestId('node-creator-no-results').isVisible(),
    }));
    await shot(`node-panel-${word}`, `the node panel searched for "${word}": ${(await names.allTextContents()).map(norm).join(', ')}`);
  }, closeNodePanel);
});

it('the kickoff has a node of each of the five pack node types', () => {
  expect(packTypes.size).toBe(5);
  expect(packNodesOnKickoff.map((n) => n.type).sort()).toEqual([...packTypes.keys()].sort());
});

it.each(packNodesOnKickoff.map((n) => [n.name, n] as const))(
  '"%s" shows the notices and hints its description declares, and no others',
  async (name, node) => {
    const want = { notices: expectedNotices(asNode(node)), hints: expectedHints(asNode(node)) };
    await openNode(name);
    await thenCleanUp(async () => {
      const shown = await shownGuidance(want.notices, want.hints);
      expect(shown).toEqual(want);
      const what = [...want.notices.map((t) => `notice "${t.slice(0, 60)}…"`), ...want.hints.map((t) => `hint "${t.slice(0, 60)}…"`)];
      await shot(
        `node-${name.replace(/\W+/g, '-').toLowerCase()}`,
        `"${name}" (${packTypes.get(node.type)!.description.displayName}) opened: ${what.length ? what.join(', ') : 'declares no notice or hint for its values, and shows none'}`,
      );
    }, closeNode);
  },
);

/** The risky choices of issue 15: each shows its warning once picked in the editor (values from the node's own options). */
const risky = [
  { type: 'idempotencyGate', parameter: 'onMonitorUnreachable', value: 'passThrough' },
  { type: 'resilientRequest', parameter: 'keySource', value: 'none' },
].map((r) => ({ ...r, node: packNodesOnKickoff.find((n) => n.type === `${pkg.name}.${r.type}`)! }));

it.each(risky.map((r) => [r.node.name, r.parameter, r.value, r] as const))(
  '"%s" with %s = %s shows its warning notice and hint',
  async (name, parameter, value, r) => {
    const before = { notices: expectedNotices(asNode(r.node)), hints: expectedHints(asNode(r.node)) };
    const want = {
      notices: expectedNotices(asNode(r.node, { [parameter]: value })),
      hints: expectedHints(asNode(r.node, { [parameter]: value })),
    };
    // The choice adds guidance: the template's own value does not show it.
    expect(want.notices.length + want.hints.length).toBeGreaterThan(before.notices.length + before.hints.length);
    await openNode(name);
    await thenCleanUp(async () => {
      step = `"${name}": ${parameter} = ${value}`;
      const label = optionName(r.node, parameter, value);
      await ndv().getByTestId(`parameter-input-${parameter}`).click();
      await page.getByRole('option', { name: new RegExp(`^\\s*${escapeRe(label)}`) }).click();
      const shown = await shownGuidance(want.notices, want.hints);
      expect(shown).toEqual(want);
      const added = want.notices.filter((t) => !before.notices.includes(t));
      if (added.length)
        await ndv()
          .locator('.notice')
          .filter({ hasText: exactly(added[0]) })
          .scrollIntoViewIfNeeded();
      await shot(
        `node-${name.replace(/\W+/g, '-').toLowerCase()}-${value.toLowerCase()}`,
        `"${name}" with ${parameter} set to "${label}": ${[...added.map((t) => `notice "${t.slice(0, 60)}…"`), ...want.hints.filter((t) => !before.hints.includes(t)).map((t) => `hint "${t.slice(0, 60)}…"`)].join(', ')}`,
      );
    }, closeNode);
  },
);

it("the browser console shows no errors but n8n's own known noise", () => {
  expect(consoleErrors).toEqual([]);
});
