/**
 * The shipped kickoff as the bench runs it, and the same flow without the guard — the peer a user
 * would build from n8n's own nodes: plain HTTP Request nodes, no Gate, Preflight, QA Verify or
 * Exception Router. Both answer their webhook when the run ends ("lastNode"), so a deal's latency is
 * the client's round trip; nothing else about the template changes.
 */
import type { Template, TemplateNode } from '../../test/e2e/support/templates';

/** The template's nodes that are the guard (and what only the guard's outputs feed). */
const GUARD_ONLY = new Set([
  'Validate deal',
  'Claim deal',
  'Verify kickoff',
  'Complete deal',
  'Already handled',
  'Invalid deal',
  'Conflicting repeat',
  'Read-back mismatch',
  'Exception Router',
  'New incident? (sales ops)',
  'New incident? (delivery ops)',
  'Tell sales ops',
  'Tell delivery ops',
  'Review not approved',
]);

/** The guard's steps whose node time the price per deal adds up (not Resilient Request's sends). */
export const GUARD_STEPS = ['Validate deal', 'Claim deal', 'Verify kickoff', 'Complete deal'] as const;

export function answerWhenDone(wf: Template): Template {
  const trigger = wf.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
  if (!trigger) throw new Error(`${wf.name}: no webhook trigger`);
  trigger.parameters = { ...trigger.parameters, responseMode: 'lastNode', responseData: 'firstEntryJson' };
  return wf;
}

const link = (node: string) => [{ node, type: 'main', index: 0 }];

/** An HTTP Request 4.2 with header auth (the credential holds the template's token header). */
function httpRequest(from: TemplateNode, credential: { id: string; name: string }, body?: string): TemplateNode {
  return {
    name: from.name,
    type: 'n8n-nodes-base.httpRequest',
    typeVersion: 4.2,
    position: from.position,
    parameters: {
      method: from.parameters.method,
      url: from.parameters.url,
      authentication: 'genericCredentialType',
      genericAuthType: 'httpHeaderAuth',
      ...(body ? { sendBody: true, specifyBody: 'json', jsonBody: body } : {}),
      options: {},
    },
    credentials: { httpHeaderAuth: credential },
  };
}

const setRaw = (from: TemplateNode, jsonOutput: string): TemplateNode => ({
  name: from.name,
  type: 'n8n-nodes-base.set',
  typeVersion: 3.4,
  position: from.position,
  parameters: { mode: 'raw', jsonOutput, options: {} },
});

/**
 * The kickoff without the guard. HTTP Request answers with the response body alone (Resilient
 * Request keeps the item and adds `response`), so the "Remember"/"Keep" steps merge the item back
 * from the node before, as a user of plain HTTP Request does.
 */
export function withoutGuard(
  template: Template,
  headerAuth: { taskBoard: { id: string; name: string }; cms: { id: string; name: string } },
): Template {
  const wf = JSON.parse(JSON.stringify(template)) as Template;
  wf.name = `${wf.name} (no guard, bench)`;
  const byName = (name: string) => {
    const n = wf.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`the kickoff template has no node "${name}"`);
    return n;
  };
  const replaced: Record<string, TemplateNode> = {
    'Create project': httpRequest(
      byName('Create project'),
      headerAuth.taskBoard,
      "={{ JSON.stringify({ name: $json.projectName, dealId: $json.dealId, client: $json.client.name, handoffId: 'sales-to-delivery-kickoff', owner: $('Config').first().json.owner, idempotencyKey: $json.dealId }) }}",
    ),
    'Remember project': setRaw(byName('Remember project'), "={{ { ...$('Plan kickoff').item.json, projectId: $json.id } }}"),
    'Create CMS folder': httpRequest(
      byName('Create CMS folder'),
      headerAuth.cms,
      "={{ JSON.stringify({ name: $json.folderName, dealId: $json.dealId, projectId: $json.projectId, handoffId: 'sales-to-delivery-kickoff', owner: $('Config').first().json.owner, idempotencyKey: $json.dealId }) }}",
    ),
    'Remember folder': setRaw(byName('Remember folder'), "={{ { ...$('Remember project').item.json, folderId: $json.id } }}"),
    'Read back project': httpRequest(byName('Read back project'), headerAuth.taskBoard),
    'Keep project': setRaw(byName('Keep project'), "={{ { ...$('Remember folder').item.json, target: { project: $json } } }}"),
    'Read back folder': httpRequest(byName('Read back folder'), headerAuth.cms),
    'Keep folder': setRaw(
      byName('Keep folder'),
      "={{ { ...$('Keep project').item.json, target: { ...$('Keep project').item.json.target, folder: $json } } }}",
    ),
  };
  wf.nodes = wf.nodes.filter((n) => !GUARD_ONLY.has(n.name)).map((n) => replaced[n.name] ?? n);
  const connections: Template['connections'] = {};
  for (const [from, out] of Object.entries(wf.connections)) {
    if (GUARD_ONLY.has(from)) continue;
    // Links into the guard go (the Failed outputs led to the router); the rest stay.
    const main = out.main.map((links) => links.filter((c) => !GUARD_ONLY.has(c.node)));
    while (main.length > 1 && main[main.length - 1].length === 0) main.pop();
    connections[from] = { main };
  }
  connections['Deal'] = { main: [link('Plan kickoff')] };
  connections['Keep folder'] = { main: [link('Needs review?')] };
  connections['Needs review?'] = { main: [link('Ask for review'), link('Real deal?')] };
  connections['Approved?'] = { main: [link('Approved deal')] };
  connections['Approved deal'] = { main: [link('Real deal?')] };
  wf.connections = connections;
  return wf;
}
