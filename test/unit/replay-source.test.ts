/**
 * extractReplayInput on n8n-shaped execution and workflow JSON (n8n 2.41.1's public API:
 * GET /executions/:id?includeData=true and GET /workflows/:id), and loadReplayInput's one hop from
 * an Error Trigger run to the failed run it reports.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import {
  n8nExecutionSchema,
  n8nWorkflowSchema,
  type N8nClient,
  type N8nExecution,
  type N8nWorkflow,
} from '../../monitor/src/collector/n8n-client';
import { loadReplayInput } from '../../monitor/src/replay/load';
import { extractReplayInput, refusalText, type ReplayRefusal } from '../../monitor/src/replay/source';

const TEMPLATES = join(__dirname, '..', '..', 'workflows-templates');
const kickoffTemplate = JSON.parse(readFileSync(join(TEMPLATES, 'sales-to-delivery-kickoff.json'), 'utf8'));
const errorTemplate = JSON.parse(readFileSync(join(TEMPLATES, 'error-workflow.json'), 'utf8'));
const WEBHOOK = kickoffTemplate.nodes.find((n: { type: string }) => n.type === 'n8n-nodes-base.webhook');

const DEAL = { dealId: 'D-1042', client: 'Acme', amount: 12000, stage: 'closed-won' };
const SECRET_HEADERS = {
  host: 'n8n.example:5678',
  'content-type': 'application/json; charset=utf-8',
  authorization: 'Bearer crm-secret-token',
  'x-crm-signature': 'sha256=deadbeef',
  cookie: 'session=abc',
};

/** One run of a node, the way n8n records it in runData. */
const run = (json: Record<string, unknown>, extra: Record<string, unknown> = {}, output = 0) => {
  const main: unknown[][] = [];
  for (let i = 0; i < output; i++) main.push([]);
  main.push([{ json, pairedItem: { item: 0 }, ...extra }]);
  return [{ startTime: 1772442000000, executionIndex: 0, executionTime: 3, executionStatus: 'success', source: [], data: { main } }];
};
const downstream = (json: Record<string, unknown>) => [
  {
    startTime: 1772442000010,
    executionIndex: 1,
    executionTime: 1,
    executionStatus: 'error',
    source: [{ previousNode: WEBHOOK.name }],
    data: { main: [[{ json }]] },
  },
];

/** The webhook node's item: {headers, params, query, body, webhookUrl, executionMode}. */
const webhookItem = (over: Record<string, unknown> = {}) => ({
  headers: SECRET_HEADERS,
  params: {},
  query: { source: 'crm', retry: '1' },
  body: DEAL,
  webhookUrl: 'http://n8n.example:5678/webhook/handoff-kickoff',
  executionMode: 'production',
  ...over,
});

const snapshotOf = (nodes: unknown[]) => ({ id: 'wf-kickoff', name: kickoffTemplate.name, nodes, connections: {}, settings: {} });

/** An execution as the public API returns it with includeData=true, run through the client's schema. */
const execution = (
  over: Record<string, unknown> = {},
  runData: Record<string, unknown> = { [WEBHOOK.name]: run(webhookItem()), 'Create project': downstream({ error: 'HTTP 503' }) },
): N8nExecution =>
  n8nExecutionSchema.parse({
    id: '123',
    workflowId: 'wf-kickoff',
    status: 'error',
    finished: false,
    mode: 'webhook',
    startedAt: '2026-03-02T09:00:00.000Z',
    stoppedAt: '2026-03-02T09:00:01.000Z',
    waitTill: null,
    retryOf: null,
    retrySuccessId: null,
    data: { version: 1, startData: {}, resultData: { runData, lastNodeExecuted: 'Create project' }, executionData: {} },
    workflowData: snapshotOf(kickoffTemplate.nodes),
    ...over,
  });

const workflow = (over: Record<string, unknown> = {}): N8nWorkflow =>
  n8nWorkflowSchema.parse({
    id: 'wf-kickoff',
    name: kickoffTemplate.name,
    active: true,
    nodes: kickoffTemplate.nodes,
    connections: kickoffTemplate.connections,
    settings: kickoffTemplate.settings,
    ...over,
  });

const withWebhook = (patch: Record<string, unknown>, params: Record<string, unknown> = {}) =>
  kickoffTemplate.nodes.map((n: { type: string; parameters: Record<string, unknown> }) =>
    n.type === 'n8n-nodes-base.webhook' ? { ...n, ...patch, parameters: { ...n.parameters, ...params } } : n,
  );

const refused = (r: ReturnType<typeof extractReplayInput>): ReplayRefusal => {
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.input)}`);
  return r;
};

describe('extractReplayInput: webhook runs that can be replayed', () => {
  it('POST webhook: body and query of the original request, as JSON, to the production path', () => {
    const r = extractReplayInput(execution(), workflow());
    expect(r).toEqual({
      ok: true,
      input: {
        workflowId: 'wf-kickoff',
        workflowName: 'Sales → delivery kickoff',
        executionId: '123',
        nodeName: 'CRM deal closed-won',
        method: 'POST',
        path: 'handoff-kickoff',
        body: DEAL,
        query: { source: 'crm', retry: '1' },
        contentType: 'application/json',
      },
    });
  });

  it('never forwards the original request headers, not even inside the input', () => {
    const r = extractReplayInput(execution(), workflow());
    const text = JSON.stringify(r);
    for (const secret of ['crm-secret-token', 'sha256=deadbeef', 'session=abc', 'n8n.example', 'x-crm-signature', 'authorization']) {
      expect(text).not.toContain(secret);
    }
    expect(Object.keys(r.ok ? r.input : {})).not.toContain('headers');
  });

  it.each([
    ['GET (the default method) sends no body', {}, { method: 'GET', body: undefined, contentType: undefined }],
    ['PUT', { httpMethod: 'PUT' }, { method: 'PUT', body: DEAL, contentType: 'application/json' }],
    ['an empty path falls back to the webhookId', { httpMethod: 'POST', path: '' }, { path: WEBHOOK.webhookId }],
    ['a leading slash is dropped', { httpMethod: 'POST', path: '/deals/closed' }, { path: 'deals/closed' }],
  ])('%s', (_label, params, expected) => {
    const nodes = withWebhook({}, { httpMethod: undefined, ...params });
    const r = extractReplayInput(execution({ workflowData: snapshotOf(nodes) }), workflow({ nodes }));
    expect(r.ok && r.input).toMatchObject(expected);
  });

  it('a dynamic path (:dealId) is prefixed with the webhookId and filled from the recorded params', () => {
    const nodes = withWebhook({}, { path: 'deal/:dealId' });
    const runData = { [WEBHOOK.name]: run(webhookItem({ params: { dealId: 'D 1042' } })) };
    const r = extractReplayInput(execution({ workflowData: snapshotOf(nodes) }, runData), workflow({ nodes }));
    expect(r.ok && r.input.path).toBe(`${WEBHOOK.webhookId}/deal/D%201042`);
  });

  it('a text body goes back as text with its own media type (no charset or boundary)', () => {
    const runData = {
      [WEBHOOK.name]: run(webhookItem({ body: 'deal D-1042 closed', headers: { 'content-type': 'text/plain; charset=utf-8' } })),
    };
    const r = extractReplayInput(execution({}, runData), workflow());
    expect(r.ok && r.input).toMatchObject({ body: 'deal D-1042 closed', contentType: 'text/plain' });
  });

  it('with several methods, the one whose output the item came out of', () => {
    const nodes = withWebhook({}, { multipleMethods: true, httpMethod: ['GET', 'POST'] });
    const runData = { [WEBHOOK.name]: run(webhookItem(), {}, 1) };
    const r = extractReplayInput(execution({ workflowData: snapshotOf(nodes) }, runData), workflow({ nodes }));
    expect(r.ok && r.input.method).toBe('POST');
  });

  it('a renamed webhook node is found by its webhookId, and the replay uses its path as it is now', () => {
    const nodes = withWebhook({ name: 'Deal won (CRM)' }, { path: 'kickoff-v2' });
    const r = extractReplayInput(execution(), workflow({ nodes }));
    expect(r.ok && r.input).toMatchObject({ nodeName: 'Deal won (CRM)', path: 'kickoff-v2' });
  });

  it('the published version (activeVersion) wins over an unpublished draft', () => {
    const draft = withWebhook({}, { path: 'draft-path' });
    const published = withWebhook({}, { path: 'published-path' });
    const r = extractReplayInput(execution(), workflow({ nodes: draft, activeVersion: { versionId: 'v7', nodes: published } }));
    expect(r.ok && r.input.path).toBe('published-path');
  });

  it("without the run's workflow snapshot, the trigger is found by name in the workflow as it is now", () => {
    const r = extractReplayInput(execution({ workflowData: undefined }), workflow());
    expect(r.ok && r.input.path).toBe('handoff-kickoff');
  });
});

describe('extractReplayInput: refusals say what is wrong and what to do', () => {
  const scheduleNodes = [
    { name: 'Every morning', type: 'n8n-nodes-base.scheduleTrigger', typeVersion: 1.2, parameters: {} },
    ...kickoffTemplate.nodes.slice(1),
  ];
  const manualNodes = [
    { name: 'When clicking ‘Execute workflow’', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
    ...kickoffTemplate.nodes.slice(1),
  ];

  it.each<[string, () => ReturnType<typeof extractReplayInput>, string, RegExp, RegExp]>([
    [
      'execution pruned or deleted (404)',
      () => extractReplayInput(undefined, undefined, { executionId: '123' }),
      'execution_not_found',
      /^n8n no longer has execution 123 \(pruned or deleted\)$/,
      /re-send .*the deal from the CRM.*raise EXECUTIONS_DATA_MAX_AGE/,
    ],
    [
      'execution saved without data',
      () => extractReplayInput(execution({ data: undefined }), workflow()),
      'no_data',
      /execution 123 was saved without its data/,
      /EXECUTIONS_DATA_SAVE_ON_ERROR/,
    ],
    ['execution with empty runData', () => extractReplayInput(execution({}, {}), workflow()), 'no_data', /without its data/, /re-send/],
    [
      'webhook node ran but its output was not kept',
      () => extractReplayInput(execution({}, { [WEBHOOK.name]: [{ startTime: 1, source: [], data: { main: [[]] } }] }), workflow()),
      'no_data',
      /without its data/,
      /re-send/,
    ],
    [
      'schedule trigger',
      () =>
        extractReplayInput(
          execution(
            { mode: 'trigger', workflowData: snapshotOf(scheduleNodes) },
            { 'Every morning': run({ timestamp: '2026-03-02T09:00:00Z' }) },
          ),
          workflow({ nodes: scheduleNodes }),
        ),
      'not_webhook',
      /started from "Every morning" \(n8n-nodes-base\.scheduleTrigger\), not from a webhook/,
      /next scheduled time.*Execute workflow/,
    ],
    [
      'manual trigger',
      () =>
        extractReplayInput(
          execution({ mode: 'manual', workflowData: snapshotOf(manualNodes) }, { [manualNodes[0].name]: run({}) }),
          workflow({ nodes: manualNodes }),
        ),
      'not_webhook',
      /manualTrigger\), not from a webhook/,
      /by hand in n8n's editor: run it there again/,
    ],
    [
      'workflow not published (inactive)',
      () => extractReplayInput(execution(), workflow({ active: false })),
      'workflow_inactive',
      /"Sales → delivery kickoff" \(wf-kickoff\) is not published/,
      /publish \(activate\) it in n8n/,
    ],
    [
      'workflow deleted',
      () => extractReplayInput(execution(), undefined),
      'workflow_not_found',
      /workflow wf-kickoff of execution 123 no longer exists/,
      /re-send/,
    ],
    [
      'workflow archived',
      () => extractReplayInput(execution(), workflow({ active: false, isArchived: true })),
      'workflow_archived',
      /is archived/,
      /unarchive/,
    ],
    [
      'webhook node removed from the workflow',
      () => extractReplayInput(execution(), workflow({ nodes: kickoffTemplate.nodes.slice(1) })),
      'webhook_gone',
      /the webhook node "CRM deal closed-won" that received execution 123 is no longer in the published workflow/,
      /current trigger, or restore the node/,
    ],
    [
      'webhook node renamed, and the run kept no snapshot to match its webhookId',
      () =>
        extractReplayInput(
          execution({ workflowData: undefined }),
          workflow({ nodes: withWebhook({ name: 'Deal won (CRM)', webhookId: 'another-id' }) }),
        ),
      'webhook_gone',
      /"CRM deal closed-won" .* no longer in the published workflow/,
      /restore the node/,
    ],
    [
      'webhook node disabled',
      () => extractReplayInput(execution(), workflow({ nodes: withWebhook({ disabled: true }) })),
      'webhook_gone',
      /is disabled/,
      /enable it and publish/,
    ],
    [
      'webhook wants credentials the monitor does not hold',
      () => extractReplayInput(execution(), workflow({ nodes: withWebhook({}, { authentication: 'headerAuth' }) })),
      'webhook_auth',
      /requires headerAuth credentials.*never forwards the original headers/,
      /re-send/,
    ],
    [
      'binary input (a file upload)',
      () =>
        extractReplayInput(
          execution(
            {},
            {
              [WEBHOOK.name]: run(webhookItem(), {
                binary: { data: { mimeType: 'application/pdf', fileName: 'brief.pdf', id: 'filesystem-v2:x' } },
              }),
            },
          ),
          workflow(),
        ),
      'binary_input',
      /received binary data/,
      /re-send/,
    ],
    [
      'dynamic path whose parameter was not recorded',
      () =>
        extractReplayInput(
          execution({ workflowData: snapshotOf(withWebhook({}, { path: 'deal/:dealId' })) }),
          workflow({ nodes: withWebhook({}, { path: 'deal/:dealId' }) }),
        ),
      'webhook_path',
      /needs the parameter "dealId"/,
      /re-send/,
    ],
    [
      'a path that climbs out of /webhook/',
      () => extractReplayInput(execution(), workflow({ nodes: withWebhook({}, { path: '../rest/login' }) })),
      'webhook_path',
      /cannot be sent safely/,
      /re-send/,
    ],
    [
      'execution still running',
      () => extractReplayInput(execution({ status: 'running' }), workflow()),
      'execution_running',
      /is still running; replaying it now could run the handoff twice/,
      /wait until it ends/,
    ],
    [
      'execution waiting (review gate)',
      () => extractReplayInput(execution({ status: 'waiting' }), workflow()),
      'execution_running',
      /still waiting/,
      /review/,
    ],
    [
      'data redacted by n8n',
      () =>
        extractReplayInput(
          execution({ data: { redactionInfo: { isRedacted: true, reason: 'policy', canReveal: false }, resultData: { runData: {} } } }),
          workflow(),
        ),
      'data_hidden',
      /redacted the data of execution 123/,
      /N8N_API_KEY/,
    ],
    [
      'data too large to display',
      () => extractReplayInput(execution({ dataTooLargeToDisplay: true, data: {} }), workflow()),
      'data_hidden',
      /EXECUTIONS_DATA_MAX_DISPLAY_SIZE/,
      /raise/,
    ],
  ])('%s', (_label, decide, code, problem, fix) => {
    const r = refused(decide());
    expect(r.code).toBe(code);
    expect(r.problem).toMatch(problem);
    expect(r.fix).toMatch(fix);
    expect(r.followExecutionId).toBeUndefined();
    expect(refusalText(r)).toBe(`${r.problem}; ${r.fix}`);
  });

  it('the pruned message reads as one line', () => {
    expect(refusalText(refused(extractReplayInput(undefined, undefined, { executionId: '123' })))).toMatch(
      /^n8n no longer has execution 123 \(pruned or deleted\); re-send it from the system that sent it \(for the kickoff: the deal from the CRM\), or raise EXECUTIONS_DATA_MAX_AGE/,
    );
  });
});

describe('extractReplayInput: Error Trigger runs', () => {
  const errorRun = (json: Record<string, unknown>) =>
    execution(
      { id: '124', workflowId: errorTemplate.id, mode: 'error', status: 'success', workflowData: { ...errorTemplate } },
      { 'Kickoff failed': run(json), 'Exception Router': downstream({}) },
    );
  const errorWorkflow = () => n8nWorkflowSchema.parse({ ...errorTemplate, active: false });

  it('returns a marker with the failed execution to follow', () => {
    const r = refused(
      extractReplayInput(
        errorRun({
          execution: {
            id: '123',
            url: 'http://n8n.example:5678/workflow/wf-kickoff/executions/123',
            error: { message: 'HTTP 503' },
            lastNodeExecuted: 'Create project',
            mode: 'webhook',
          },
          workflow: { id: 'wf-kickoff', name: 'Sales → delivery kickoff' },
        }),
        errorWorkflow(),
      ),
    );
    expect(r).toMatchObject({ code: 'error_trigger', followExecutionId: '123' });
    expect(r.problem).toMatch(
      /execution 124 is a run of the error workflow; it reports the failed execution 123 of "Sales → delivery kickoff"/,
    );
  });

  it('is recognised by mode "error" even when no node type is known', () => {
    const r = refused(
      extractReplayInput(
        execution(
          { id: '124', mode: 'error', status: 'success', workflowData: undefined },
          { 'Some trigger': run({ execution: { id: '99' }, workflow: { id: 'x', name: 'X' } }) },
        ),
        undefined,
      ),
    );
    expect(r).toMatchObject({ code: 'error_trigger', followExecutionId: '99' });
  });

  it('falls back to data.parentExecution when the trigger item names no execution id', () => {
    const run = errorRun({ workflow: { id: 'wf-kickoff', name: 'Sales → delivery kickoff' } });
    const withParent: N8nExecution = {
      ...run,
      data: { ...(run.data as object), parentExecution: { executionId: '120', workflowId: 'wf-kickoff' } },
    };
    expect(refused(extractReplayInput(withParent, errorWorkflow()))).toMatchObject({ code: 'error_trigger', followExecutionId: '120' });
  });

  it('a failure of the trigger itself (no execution id) cannot be replayed', () => {
    const r = refused(
      extractReplayInput(
        errorRun({
          trigger: { error: { message: 'poll failed' }, mode: 'trigger' },
          workflow: { id: 'wf-kickoff', name: 'Sales → delivery kickoff' },
        }),
        errorWorkflow(),
      ),
    );
    expect(r.code).toBe('trigger_failed');
    expect(r.followExecutionId).toBeUndefined();
  });
});

describe('loadReplayInput', () => {
  const fakeClient = (executions: Record<string, N8nExecution>, workflows: Record<string, N8nWorkflow>) => {
    const calls: string[] = [];
    const client: N8nClient = {
      listExecutions: async () => ({ data: [] }),
      listWorkflows: async () => ({ data: [] }),
      getExecution: async (id, includeData) => {
        calls.push(`execution ${id}${includeData ? ' +data' : ''}`);
        return executions[id];
      },
      getWorkflow: async (id) => {
        calls.push(`workflow ${id}`);
        return workflows[id];
      },
    };
    return { client, calls };
  };
  const errorRunFor = (id: string, parent: string) =>
    execution(
      { id, workflowId: errorTemplate.id, mode: 'error', status: 'success', workflowData: errorTemplate },
      { 'Kickoff failed': run({ execution: { id: parent }, workflow: { id: 'wf-kickoff', name: 'K' } }) },
    );
  const errorWf = n8nWorkflowSchema.parse({ ...errorTemplate, active: false });

  it('reads the execution with its data and the workflow, then decides', async () => {
    const { client, calls } = fakeClient({ '123': execution() }, { 'wf-kickoff': workflow() });
    const r = await loadReplayInput(client, '123');
    expect(r.ok && r.input.path).toBe('handoff-kickoff');
    expect(calls).toEqual(['execution 123 +data', 'workflow wf-kickoff']);
  });

  it('follows an Error Trigger run to the failed execution, once', async () => {
    const { client, calls } = fakeClient(
      { '124': errorRunFor('124', '123'), '123': execution() },
      { 'wf-kickoff': workflow(), [errorTemplate.id]: errorWf },
    );
    const r = await loadReplayInput(client, '124');
    expect(r.ok && r.input).toMatchObject({ executionId: '123', path: 'handoff-kickoff' });
    expect(calls).toEqual(['execution 124 +data', `workflow ${errorTemplate.id}`, 'execution 123 +data', 'workflow wf-kickoff']);
  });

  it('does not chase an error run that reports another error run', async () => {
    const { client } = fakeClient(
      { '125': errorRunFor('125', '124'), '124': errorRunFor('124', '123'), '123': execution() },
      { [errorTemplate.id]: errorWf, 'wf-kickoff': workflow() },
    );
    const r = refused(await loadReplayInput(client, '125'));
    expect(r.code).toBe('trigger_failed');
    expect(r.problem).toMatch(/reports execution 124, which is itself an error-workflow run/);
  });

  it('a pruned parent is reported as pruned, naming the parent', async () => {
    const { client } = fakeClient({ '124': errorRunFor('124', '123') }, { [errorTemplate.id]: errorWf });
    const r = refused(await loadReplayInput(client, '124'));
    expect(r.code).toBe('execution_not_found');
    expect(r.problem).toMatch(/execution 123/);
  });

  it('a 404 for the execution skips the workflow read', async () => {
    const { client, calls } = fakeClient({}, {});
    const r = refused(await loadReplayInput(client, '77'));
    expect(r.code).toBe('execution_not_found');
    expect(calls).toEqual(['execution 77 +data']);
  });
});
