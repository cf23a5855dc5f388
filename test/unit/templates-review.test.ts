/**
 * Static checks of the kickoff's review gate (issue 10): where it sits, what the links are made of,
 * that they expire, and that a rejection reaches sales through the Exception Router and the contract.
 */
import fs from 'fs';
import path from 'path';
import { parseContract } from '../../monitor/src/contract/load';
import { resolveOwner } from '../../monitor/src/incidents/owner';

const DIR = path.join(__dirname, '../../workflows-templates');
type Node = { name: string; type: string; parameters: Record<string, unknown>; webhookId?: string };
type Workflow = { nodes: Node[]; connections: Record<string, { main: { node: string }[][] }> };
const kickoff = JSON.parse(fs.readFileSync(path.join(DIR, 'sales-to-delivery-kickoff.json'), 'utf8')) as Workflow;
const contract = parseContract(fs.readFileSync(path.join(DIR, 'handoffs.yaml'), 'utf8'));
const handoff = contract.handoffs.find((h) => h.id === 'sales-to-delivery-kickoff')!;

const node = (name: string) => kickoff.nodes.find((n) => n.name === name)!;
const wiredTo = (from: string, index: number) => (kickoff.connections[from]?.main[index] ?? []).map((c) => c.node);

it('sits after QA Verify passes: reviewed deals are asked, the rest go straight to Complete', () => {
  expect(wiredTo('Verify kickoff', 0)).toEqual(['Needs review?']);
  expect(wiredTo('Needs review?', 0)).toEqual(['Ask for review']);
  expect(wiredTo('Needs review?', 1)).toEqual(['Complete deal']);
  expect(wiredTo('Ask for review', 0)).toEqual(['Wait for review']);
  expect(wiredTo('Wait for review', 0)).toEqual(['Approved?']);
  expect(wiredTo('Approved?', 0)).toEqual(['Approved deal']);
  expect(wiredTo('Approved deal', 0)).toEqual(['Complete deal']);
  expect(wiredTo('Approved?', 1)).toEqual(['Review not approved']);
  expect(wiredTo('Review not approved', 0)).toEqual(['Exception Router']);
});

it('waits on a webhook call with a time limit (the links expire), taken from Config', () => {
  const wait = node('Wait for review');
  expect(wait.type).toBe('n8n-nodes-base.wait');
  expect(wait.webhookId).toMatch(/^[0-9a-f-]{36}$/);
  expect(wait.parameters).toMatchObject({
    resume: 'webhook',
    httpMethod: 'GET',
    limitWaitTime: true,
    limitType: 'afterTimeInterval',
    resumeUnit: 'hours',
  });
  expect(wait.parameters.resumeAmount).toContain('reviewLinkHours');
});

it('builds approve and reject links from the signed resume URL, and keeps chat previews from opening them', () => {
  const body = String(node('Ask for review').parameters.jsonBody);
  expect(body).toContain('$execution.resumeUrl');
  expect(body).toMatch(/approveUrl: `[^`]*decision=approve`/);
  expect(body).toMatch(/rejectUrl: `[^`]*decision=reject&reason=`/);
  expect(body).toContain('unfurl_links: false');
});

it('skips smoke-test deals and reviews from Config.reviewFromAmount up', () => {
  const condition = JSON.stringify(node('Needs review?').parameters);
  expect(condition).toContain('$json.synthetic !== true');
  expect(condition).toContain('reviewFromAmount');
});

it('routes a rejection to sales: the router sends it to "Sales ops", the contract names Sam Sales', () => {
  expect(String(node('Review not approved').parameters.jsonOutput)).toContain("'review_rejected'");
  const rule = (node('Exception Router').parameters.rules as { values: { outputName: string; operation: string; value: string }[] })
    .values[0];
  expect(rule.outputName).toBe('Sales ops');
  expect(new RegExp(rule.value).test('review_rejected')).toBe(true);
  expect(new RegExp(rule.value).test('invalid')).toBe(true);
  expect(new RegExp(rule.value).test('request_failed')).toBe(false);
  expect(resolveOwner(handoff, 'review_rejected').owner.name).toBe('Sam Sales');
});

it('gives the handoff a review SLA and a reviewer for unanswered reviews (route review_stalled)', () => {
  expect(handoff.reviewSla).toBe(24 * 3_600_000);
  expect(resolveOwner(handoff, 'review_stalled').owner).toEqual({ name: 'Lee Lead', channel: '#delivery-leads' });
});
