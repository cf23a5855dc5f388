/**
 * How the audit reads a URL (resolving what the workflow itself says, reporting the rest as
 * written) and names the system behind it, and how it tells an app node's writes from its reads
 * (n8n's defaults count: a parameter left at its default is not in the saved JSON).
 */
import { appForNode, appForTrigger, classifyOperation } from '../../monitor/src/audit/apps';
import { resolveUrl, type ExpressionContext } from '../../monitor/src/audit/expressions';
import { buildGraph, upstream } from '../../monitor/src/audit/graph';
import { createSystemRegistry } from '../../monitor/src/audit/systems';
import type { AuditNode, AuditWorkflow } from '../../monitor/src/audit/types';
import { contractSchema, EMPTY_CONTRACT } from '../../monitor/src/contract/schema';

const set = (name: string, values: Record<string, string>, version = 3.4): AuditNode => ({
  name,
  type: 'n8n-nodes-base.set',
  typeVersion: version,
  parameters:
    version >= 3.3
      ? {
          mode: 'manual',
          assignments: { assignments: Object.entries(values).map(([n, value]) => ({ id: n, name: n, value, type: 'string' })) },
        }
      : { values: { string: Object.entries(values).map(([n, value]) => ({ name: n, value })) } },
});

/** Trigger → Config → (Legacy) → Call, in a line. */
function context(nodes: AuditNode[]): ExpressionContext {
  const wf: AuditWorkflow = {
    id: '1',
    name: 'x',
    published: true,
    tags: [],
    settings: {},
    nodes: [{ name: 'Trigger', type: 'n8n-nodes-base.manualTrigger' }, ...nodes, { name: 'Call', type: 'n8n-nodes-base.httpRequest' }],
    connections: {},
  };
  const names = wf.nodes.map((n) => n.name);
  for (let i = 0; i < names.length - 1; i++) wf.connections[names[i]] = { main: [[{ node: names[i + 1] }]] };
  const g = buildGraph(wf);
  return { nodes: g.nodes, upstream: (n) => upstream(g, n) };
}

describe('resolveUrl', () => {
  const ctx = context([
    set('Config', {
      crmUrl: 'https://crm.agency.example/api',
      nested: "={{ $('Config').first().json.crmUrl }}/v2",
      port: 'http://10.0.0.7:8080',
    }),
    set('Legacy', { boardUrl: 'https://board.example.com' }, 2),
  ]);

  it.each([
    ['a literal URL', 'https://api.hubapi.com/crm/v3/objects/deals', 'api.hubapi.com', '/crm/v3/objects/deals', []],
    ["a Config value through $('Config').first()", "={{ $('Config').first().json.crmUrl }}/deals", 'crm.agency.example', '/api/deals', []],
    ['through .item and double quotes', '={{ $("Config").item.json.crmUrl }}/deals', 'crm.agency.example', '/api/deals', []],
    ['through $node["Config"]', '={{ $node["Config"].json["crmUrl"] }}/x', 'crm.agency.example', '/api/x', []],
    [
      'a Config value that is itself an expression',
      "={{ $('Config').first().json.nested }}/deals",
      'crm.agency.example',
      '/api/v2/deals',
      [],
    ],
    ['$json from the nearest Set node upstream (Set v2 values)', '={{ $json.boardUrl }}/cards', 'board.example.com', '/cards', []],
    ['a host with a port', "={{ $('Config').last().json.port }}/hook", '10.0.0.7:8080', '/hook', []],
    [
      'a literal host and an item-dependent path',
      '=https://app.asana.com/api/1.0/tasks/{{ $json.gid }}',
      'app.asana.com',
      '/api/1.0/tasks/{{…}}',
      ['{{ $json.gid }}'],
    ],
  ])('resolves %s', (_what, raw, host, path, unresolved) => {
    expect(resolveUrl(raw, 'Call', ctx)).toMatchObject({ host, path, unresolved });
  });

  it.each([
    ['an n8n variable', '={{ $vars.CRM_BASE_URL }}/api/leads'],
    ['an environment variable', '={{ $env.TASKS_URL }}'],
    ['item data', '={{ $json.body.callbackUrl }}'],
    ['a field no Set node assigns', "={{ $('Config').first().json.missing }}/x"],
    ['code', "={{ ['https://a', 'b'].join('.') }}"],
  ])('reports %s as unresolved, as written', (_what, raw) => {
    const r = resolveUrl(raw, 'Call', ctx)!;
    expect(r.host).toBeUndefined();
    expect(r.url).toBe(raw.slice(1));
    expect(r.unresolved.length).toBeGreaterThan(0);
  });

  it('ignores an empty URL', () => {
    expect(resolveUrl('', 'Call', ctx)).toBeUndefined();
    expect(resolveUrl(undefined, 'Call', ctx)).toBeUndefined();
  });
});

describe('naming systems', () => {
  const contract = contractSchema.parse({
    systems: {
      crm: { name: 'CRM', kind: 'crm', url: 'https://agency.example/crm' },
      taskboard: { name: 'Task board', kind: 'task_board' },
      'google-drive': { name: 'Drive', kind: 'storage' },
      'files.example.net': { name: 'Files', kind: 'storage' },
    },
  });

  it('by the contract url, a known API host, a name in the URL, a drafted host id, or the host', () => {
    const s = createSystemRegistry(contract);
    expect(s.url('agency.example', '/crm/api/deals')).toMatchObject({ id: 'crm', via: 'contract-url' });
    expect(s.url('agency.example', '/crmx/api')).toMatchObject({ id: 'agency.example', via: 'host' });
    expect(s.url('www.googleapis.com', '/upload/drive/v3/files')).toMatchObject({
      id: 'google-drive',
      contractId: 'google-drive',
      via: 'api-host',
    });
    expect(s.url('api.hubapi.com', '/crm/v3/objects/deals')).toMatchObject({
      id: 'hubspot',
      name: 'HubSpot',
      kind: 'crm',
      via: 'api-host',
    });
    expect(s.url('127.0.0.1:5690', '/taskboard/projects')).toMatchObject({ id: 'taskboard', via: 'contract-name' });
    expect(s.url('taskboard.internal', '/v1')).toMatchObject({ id: 'taskboard' });
    expect(s.url('files.example.net', '/x')).toMatchObject({ id: 'files.example.net', contractId: 'files.example.net' });
    expect(s.url('blog.example.org', '/wp-json/wp/v2/posts')).toMatchObject({ id: 'wordpress' });
    expect(s.url('10.1.2.3:8443', '/api')).toMatchObject({ id: '10.1.2.3-8443', name: '10.1.2.3:8443', kind: 'other' });
  });

  it('an app is the contract system with its id or name, whatever the case or punctuation', () => {
    const s = createSystemRegistry(
      contractSchema.parse({ systems: { mondaycom: { name: 'Boards', kind: 'task_board' }, hs: { name: 'Hub Spot' } } }),
    );
    expect(s.app(appForNode('n8n-nodes-base.mondayCom')!)).toMatchObject({ id: 'mondaycom', contractId: 'mondaycom' });
    expect(s.app(appForNode('n8n-nodes-base.hubspot')!)).toMatchObject({ id: 'hs', contractId: 'hs' });
    const bare = createSystemRegistry(EMPTY_CONTRACT).app(appForNode('n8n-nodes-base.asana')!);
    expect(bare).toMatchObject({ id: 'asana', name: 'Asana', kind: 'task_board' });
    expect(bare.contractId).toBeUndefined();
  });
});

describe('app operations: writes told apart from reads', () => {
  const op = (type: string, typeVersion: number, parameters: Record<string, unknown> = {}) => {
    const app = appForNode(type)!;
    const r = classifyOperation(app, { typeVersion, parameters });
    return [r.operation, r.access, r.duplicates, r.effect, r.resource];
  };

  it.each([
    ['Asana with nothing set creates a task', 'asana', 1, {}, ['create', 'write', true, 'record', 'task']],
    ['Asana task get reads', 'asana', 1, { operation: 'get' }, ['get', 'read', false, 'record', 'task']],
    ['Asana task update writes without doubling', 'asana', 1, { operation: 'update' }, ['update', 'write', false, 'record', 'task']],
    ['HubSpot v2 defaults to a contact upsert', 'hubspot', 2.1, {}, ['upsert', 'write', false, 'record', 'contact']],
    ['HubSpot v1 defaults to a deal create', 'hubspot', 1, {}, ['create', 'write', true, 'record', 'deal']],
    ['HubSpot deal search reads', 'hubspot', 2.2, { resource: 'deal', operation: 'search' }, ['search', 'read', false, 'record', 'deal']],
    ['Pipedrive v1 product defaults to getAll', 'pipedrive', 1, { resource: 'product' }, ['getAll', 'read', false, 'record', 'product']],
    ['Google Drive folder defaults to create', 'googleDrive', 3, { resource: 'folder' }, ['create', 'write', true, 'record', 'folder']],
    ['Google Drive file defaults to upload', 'googleDrive', 3, {}, ['upload', 'write', true, 'record', 'file']],
    [
      'Google Drive fileFolder search reads',
      'googleDrive',
      3,
      { resource: 'fileFolder' },
      ['search', 'read', false, 'record', 'fileFolder'],
    ],
    ['Slack posts a message by default', 'slack', 2.3, {}, ['post', 'write', true, 'message', 'message']],
    ['Microsoft Teams task is a record', 'microsoftTeams', 2, { resource: 'task' }, ['create', 'write', true, 'record', 'task']],
    [
      'Microsoft Teams channel message is a message',
      'microsoftTeams',
      2,
      { resource: 'channelMessage' },
      ['create', 'write', true, 'message', 'channelMessage'],
    ],
    ['Gmail sends by default', 'gmail', 2.1, {}, ['send', 'write', true, 'message', 'message']],
    ['Notion page defaults to create', 'notion', 2.2, {}, ['create', 'write', true, 'record', 'page']],
    ['Notion database defaults to get', 'notion', 2.2, { resource: 'database' }, ['get', 'read', false, 'record', 'database']],
    ['Airtable v2 record defaults to get', 'airtable', 2.1, {}, ['get', 'read', false, 'record', 'record']],
    ['Airtable v1 reads by default', 'airtable', 1, {}, ['read', 'read', false, 'record', undefined]],
    ['Airtable upsert settles on one record', 'airtable', 2.1, { operation: 'upsert' }, ['upsert', 'write', false, 'record', 'record']],
    [
      'Google Sheets appendOrUpdate settles on one row',
      'googleSheets',
      4.5,
      { operation: 'appendOrUpdate' },
      ['appendOrUpdate', 'write', false, 'record', 'sheet'],
    ],
    [
      'Google Sheets append adds a row each time',
      'googleSheets',
      4.5,
      { operation: 'append' },
      ['append', 'write', true, 'record', 'sheet'],
    ],
    [
      'Monday.com board item change is an update',
      'mondayCom',
      1,
      { resource: 'boardItem', operation: 'changeColumnValue' },
      ['changeColumnValue', 'write', false, 'record', 'boardItem'],
    ],
    ['WordPress post defaults to create', 'wordpress', 1, {}, ['create', 'write', true, 'record', 'post']],
    ['Webflow item defaults to get', 'webflow', 2, {}, ['get', 'read', false, 'record', 'item']],
    ['Dropbox file defaults to upload', 'dropbox', 1, {}, ['upload', 'write', true, 'record', 'file']],
    ['ClickUp task defaults to create', 'clickUp', 1, {}, ['create', 'write', true, 'record', 'task']],
    ['Jira issue defaults to create', 'jira', 1, {}, ['create', 'write', true, 'record', 'issue']],
    ['Trello card defaults to create', 'trello', 1, {}, ['create', 'write', true, 'record', 'card']],
    [
      'an operation chosen by expression counts as a write that can double',
      'asana',
      1,
      { operation: '={{ $json.op }}' },
      ['={{ $json.op }}', 'write', true, 'record', 'task'],
    ],
  ])('%s', (_what, type, version, parameters, expected) => {
    expect(op(`n8n-nodes-base.${type}`, version as number, parameters as Record<string, unknown>)).toEqual(expected);
  });

  it('names app triggers, known or not', () => {
    expect(appForTrigger('n8n-nodes-base.hubspotTrigger')).toMatchObject({ id: 'hubspot', name: 'HubSpot' });
    expect(appForTrigger('n8n-nodes-base.typeformTrigger')).toMatchObject({ id: 'typeform', kind: 'forms' });
    expect(appForTrigger('n8n-nodes-base.acuitySchedulingTrigger')).toMatchObject({ id: 'acuity-scheduling', name: 'AcuityScheduling' });
    expect(appForTrigger('n8n-nodes-base.scheduleTrigger')).toBeUndefined();
    expect(appForTrigger('n8n-nodes-base.webhook')).toBeUndefined();
  });
});
