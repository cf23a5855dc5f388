/**
 * One failure, one message per destination (issue 13, item 5), checked on the template files: on
 * every path a failure takes from an Exception Router to the end of the workflow, the owner is told
 * once (the monitor's alert: the Router records the incident), the ops channel gets exactly one
 * post, no destination gets two, and every post is for a new incident only (a repeat of an open
 * incident, which the monitor answers `deduplicated: true`, posts nothing).
 */
import fs from 'fs';
import path from 'path';
import { defaultNotifyOn } from '../../nodes/ExceptionRouter/description';

const DIR = path.join(__dirname, '../../workflows-templates');
const ROUTER = 'n8n-nodes-handoff-guard.exceptionRouter';
/** The monitor's alert to the owner: sent to HANDOFF_ALERT_WEBHOOK_URL when the Router opens an incident. */
const OWNER = 'owner (monitor alert)';

type Node = { name: string; type: string; typeVersion: number; parameters: Record<string, unknown> };
type Workflow = { name: string; nodes: Node[]; connections: Record<string, { main: { node: string }[][] }> };
interface Post {
  node: string;
  destination: string;
  /** Whether a repeat of an open incident is kept from posting again. */
  newIncidentOnly: boolean;
}

const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));
const workflows = Object.fromEntries(files.map((f) => [f, JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as Workflow]));
const byName = (wf: Workflow, name: string) => wf.nodes.find((n) => n.name === name)!;

/** A URL parameter as the place it posts to: a Config value is read through (two names, one URL, are one destination). */
function destination(wf: Workflow, url: unknown): string {
  const text = String(url ?? '');
  const fromConfig = /\$\('Config'\)\.first\(\)\.json\.(\w+)/.exec(text);
  if (!fromConfig) return text;
  const config = byName(wf, 'Config').parameters.assignments as { assignments: { name: string; value: unknown }[] };
  const entry = config.assignments.find((a) => a.name === fromConfig[1]);
  if (!entry) throw new Error(`${wf.name}: ${text} names no Config value`);
  return String(entry.value);
}

const isChat = (url: string) => /\/chat\//.test(url) || /hooks\.slack\.com/.test(url);

/** A Filter/If whose passing branch is "the monitor did not answer deduplicated". */
const isNewIncidentGate = (n: Node) =>
  (n.type === 'n8n-nodes-base.filter' || n.type === 'n8n-nodes-base.if') &&
  /_incident\??\.deduplicated === true/.test(JSON.stringify(n.parameters)) &&
  /"operation":"false"/.test(JSON.stringify(n.parameters));

/** The messages one node sends about a failure. */
function postsOf(wf: Workflow, n: Node, gated: boolean): Post[] {
  if (n.type === ROUTER) {
    const p = n.parameters;
    const out: Post[] = [];
    // The monitor alerts on an incident it opens, never on a repeat (monitor/src/incidents/decide.ts).
    if (p.recordIncident !== false) out.push({ node: n.name, destination: OWNER, newIncidentOnly: true });
    if (p.notify === 'slack' || p.notify === 'webhook') {
      const notifyOn = p.notifyOn ?? defaultNotifyOn(n.typeVersion);
      out.push({
        node: n.name,
        destination: destination(wf, p.notifyUrl),
        newIncidentOnly: notifyOn === 'opened' && p.recordIncident !== false,
      });
    }
    return out;
  }
  if (n.type === 'n8n-nodes-base.httpRequest' && String(n.parameters.method ?? 'GET') === 'POST') {
    const to = destination(wf, n.parameters.url);
    if (isChat(to)) return [{ node: n.name, destination: to, newIncidentOnly: gated }];
  }
  return [];
}

/** Every path from a Router to the end of the workflow, with the messages sent along it. */
function failurePaths(wf: Workflow): { path: string[]; posts: Post[] }[] {
  const paths: { path: string[]; posts: Post[] }[] = [];
  const walk = (name: string, trail: string[], posts: Post[], gated: boolean) => {
    const n = byName(wf, name);
    const nowGated = gated || isNewIncidentGate(n);
    const sent = [...posts, ...postsOf(wf, n, gated)];
    // A gate passes new incidents on its first output; anything else it has is the repeat branch.
    const outputs = (wf.connections[name]?.main ?? []).filter((_, i) => !isNewIncidentGate(n) || i === 0);
    const next = outputs.flat().map((c) => c.node);
    if (next.length === 0) paths.push({ path: [...trail, name], posts: sent });
    for (const target of next) {
      if (trail.includes(target)) throw new Error(`${wf.name}: loop through ${target}`);
      walk(target, [...trail, name], sent, nowGated);
    }
  };
  for (const router of wf.nodes.filter((n) => n.type === ROUTER)) walk(router.name, [], [], false);
  return paths;
}

describe.each(files)('%s: every failure path', (file) => {
  const wf = workflows[file];
  const paths = failurePaths(wf);

  it('goes through an Exception Router', () => {
    expect(paths.length).toBeGreaterThan(0);
  });

  it.each(paths.map((p) => [p.path.join(' → '), p] as const))(
    '%s: one message per destination, the owner once, the ops channel once',
    (_name, { posts }) => {
      const count = (d: string) => posts.filter((p) => p.destination === d).length;
      const destinations = [...new Set(posts.map((p) => p.destination))];
      expect(Object.fromEntries(destinations.map((d) => [d, count(d)]))).toEqual(Object.fromEntries(destinations.map((d) => [d, 1])));
      expect(count(OWNER)).toBe(1);
      expect(posts.filter((p) => p.destination !== OWNER)).toHaveLength(1);
    },
  );

  it.each(paths.map((p) => [p.path.join(' → '), p] as const))('%s: a repeat of the same failure posts nothing', (_name, { posts }) => {
    for (const post of posts) expect(post).toMatchObject({ newIncidentOnly: true });
  });
});

describe('the kickoff and the smoke test', () => {
  const kickoff = workflows['sales-to-delivery-kickoff.json'];
  const smoke = workflows['handoff-smoke-test.json'];

  it('routes to sales ops and delivery ops, each its own channel, and the Router itself posts nothing', () => {
    const router = kickoff.nodes.find((n) => n.type === ROUTER)!;
    expect(router.parameters.notify).toBe('none');
    const tells = ['Tell sales ops', 'Tell delivery ops'].map((name) => destination(kickoff, byName(kickoff, name).parameters.url));
    expect(new Set(tells).size).toBe(2);
  });

  it("report a smoke-test deal's failure under one dedup key, so the smoke test's own report is a repeat", () => {
    const smokeKey = String((smoke.nodes.find((n) => n.type === ROUTER)!.parameters.options as { dedupKey: string }).dedupKey);
    const kickoffKey = String((kickoff.nodes.find((n) => n.type === ROUTER)!.parameters.options as { dedupKey: string }).dedupKey);
    expect(smokeKey).toBe('sales-to-delivery-kickoff:smoke_test_failed');
    expect(kickoffKey).toContain('$json.synthetic === true');
    expect(kickoffKey).toContain(`'${smokeKey}'`);
  });
});
