/**
 * Every alert rule carries a runbook_url that points at a section of README.md that exists (issue 18
 * item 5): the anchor is checked against README's headings, slugged the way GitHub slugs them.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';

const REPO = join(__dirname, '..', '..');
const README_URL = 'https://github.com/handoff-guard/handoff-guard/blob/main/README.md';

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function readmeAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === undefined) fence = f[1][0];
      else if (f[1][0] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const text = h[1].replace(/`([^`]*)`/g, '$1').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

describe('runbook_url on the alert rules', () => {
  const rules = parse(readFileSync(join(REPO, 'monitor', 'observability', 'prometheus-rules.yml'), 'utf8')) as {
    groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[];
  };
  const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert);
  const anchors = readmeAnchors(readFileSync(join(REPO, 'README.md'), 'utf8'));

  it('slugs headings as GitHub does', () => {
    expect([...readmeAnchors("# A b\n## The monitor's API\n```sh\n# not a heading\n```\n## A b\n### `x_y` and [link](u)")]).toEqual([
      'a-b',
      'the-monitors-api',
      'a-b-1',
      'x_y-and-link',
    ]);
  });

  it.each(alerts.map((a) => [a.alert!, a]))('%s points at a README section that exists', (_name, alert) => {
    const url = alert.annotations?.runbook_url;
    expect(url).toMatch(new RegExp(`^${README_URL.replace(/[.]/g, '\\.')}#[a-z0-9_-]+$`));
    const anchor = url!.slice(url!.indexOf('#') + 1);
    expect([...anchors]).toContain(anchor);
  });
});
