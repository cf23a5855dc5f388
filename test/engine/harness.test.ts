// Self-test of the engine harness: tiny node types, defined here, prove the real engine is doing
// the work (expressions, output routing, error outputs, credentials over real HTTP, cancellation).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { HandoffMonitorApi } from '../../credentials/HandoffMonitorApi.credentials';
import { EmitNode, connect, loadWorkflowFixture, runWorkflow } from './harness';

const base = (name: string, extra: Partial<INodeTypeDescription> = {}): INodeTypeDescription => ({
  displayName: name,
  name,
  group: ['transform'],
  version: 1,
  description: name,
  defaults: { name },
  inputs: ['main'],
  outputs: ['main'],
  properties: [],
  ...extra,
});

/** Two named outputs; `route` is an expression evaluated per item by the engine. */
class RouterNode implements INodeType {
  description = base('test.router', {
    outputs: ['main', 'main'],
    outputNames: ['Match', 'Other'],
    properties: [{ displayName: 'Route', name: 'route', type: 'string', default: 'other' }],
  });

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const match: INodeExecutionData[] = [];
    const other: INodeExecutionData[] = [];
    this.getInputData().forEach((item, i) => {
      const route = this.getNodeParameter('route', i) as string;
      (route === 'match' ? match : other).push({ json: { ...item.json, route }, pairedItem: { item: i } });
    });
    return [match, other];
  }
}

/** Fails items flagged `bad`; honours continueOnFail per item as the pack's nodes must. */
class FlakyNode implements INodeType {
  description = base('test.flaky');

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const out: INodeExecutionData[] = [];
    for (const [i, item] of this.getInputData().entries()) {
      try {
        if (item.json.bad) throw new NodeOperationError(this.getNode(), `Item ${i} is bad`, { itemIndex: i });
        out.push({ json: { ...item.json, ok: true }, pairedItem: { item: i } });
      } catch (error) {
        if (!this.continueOnFail()) throw error;
        out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
      }
    }
    this.addExecutionHints({ message: `onError=${this.getNode().onError ?? 'unset'}` });
    return [out];
  }
}

/** Calls the monitor with the node's credential, and once without authentication. */
class MonitorCallNode implements INodeType {
  description = base('test.monitorCall', { credentials: [{ name: 'handoffMonitorApi', required: true }] });

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const { url } = await this.getCredentials<{ url: string }>('handoffMonitorApi');
    const authed = (await this.helpers.httpRequestWithAuthentication.call(this, 'handoffMonitorApi', {
      method: 'POST',
      url: `${url}/api/v1/claims`,
      body: { keys: this.getInputData().map((item) => item.json.key) },
      json: true,
    })) as Record<string, unknown>;
    const plain = (await this.helpers.httpRequest({ url: `${url}/healthz`, json: true })) as Record<string, unknown>;
    return [[{ json: { authed, plain }, pairedItem: { item: 0 } }]];
  }
}

/** Backs off for a minute, as a retrying request would; only the cancel signal can cut it short. */
let backoffCutShort = false;
class BackoffNode implements INodeType {
  description = base('test.backoff');

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    await sleep(60_000, this.getExecutionCancelSignal()).catch(() => (backoffCutShort = true));
    return [this.getInputData()];
  }
}

describe('engine harness', () => {
  it('evaluates expressions per item and routes to named outputs with pairedItem', async () => {
    const result = await runWorkflow(
      {
        nodes: [
          { name: 'Start', type: 'test.emit' },
          { name: 'Router', type: 'test.router', parameters: { route: "={{ $json.kind === 'a' ? 'match' : 'other' }}" } },
        ],
        connections: connect(['Start', 'Router']),
      },
      { nodeTypes: { 'test.router': RouterNode }, input: [{ kind: 'a' }, { kind: 'b' }, { kind: 'a' }] },
    );

    expect(result.status).toBe('success');
    expect(result.executionOrder).toEqual(['Start', 'Router']);
    expect(result.jsonOf('Router', 0)).toEqual([
      { kind: 'a', route: 'match' },
      { kind: 'a', route: 'match' },
    ]);
    expect(result.outputOf('Router', 0).map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
    expect(result.jsonOf('Router', 1)).toEqual([{ kind: 'b', route: 'other' }]);
  });

  it('runs an exported workflow fixture whose pinData is the expected output', async () => {
    const { workflow, expected } = loadWorkflowFixture(join(__dirname, 'harness/fixtures/router.workflow.json'));
    const result = await runWorkflow(workflow, {
      nodeTypes: { 'n8n-nodes-base.manualTrigger': EmitNode, 'test.router': RouterNode },
      input: [{ kind: 'a' }, { kind: 'b' }],
    });

    expect(result.jsonOf('Router')).toEqual(expected.Router);
  });

  it("sends a failing item to the error output under onError 'continueErrorOutput'", async () => {
    const result = await runWorkflow(
      {
        nodes: [
          { name: 'Start', type: 'test.emit' },
          { name: 'Flaky', type: 'test.flaky', onError: 'continueErrorOutput' },
        ],
        connections: connect(['Start', 'Flaky']),
      },
      { nodeTypes: { 'test.flaky': FlakyNode }, input: [{ id: 1 }, { id: 2, bad: true }] },
    );

    expect(result.status).toBe('success');
    expect(result.jsonOf('Flaky', 0)).toEqual([{ id: 1, ok: true }]);
    // The engine adds the error output and merges the failed item's input back into it.
    expect(result.jsonOf('Flaky', 1)).toEqual([{ id: 2, bad: true, error: 'Item 1 is bad' }]);
    expect(result.outputOf('Flaky', 1)[0].pairedItem).toEqual({ item: 1 });
    expect(result.runData.Flaky[0].hints).toEqual([{ message: 'onError=continueErrorOutput' }]);
  });

  it('fails the execution with the node error when the node does not continue on fail', async () => {
    const result = await runWorkflow(
      {
        nodes: [
          { name: 'Start', type: 'test.emit' },
          { name: 'Flaky', type: 'test.flaky' },
        ],
        connections: connect(['Start', 'Flaky']),
      },
      { nodeTypes: { 'test.flaky': FlakyNode }, input: [{ bad: true }] },
    );

    expect(result.status).toBe('error');
    expect(result.error?.message).toBe('Item 0 is bad');
    expect(result.runData.Flaky[0].error?.message).toBe('Item 0 is bad');
    expect(() => result.outputOf('Next')).toThrow(/Node "Next" has no run 0 .*Item 0 is bad/);
  });

  describe('credentials', () => {
    let server: Server;
    let url: string;
    const seen: Array<{ path?: string; headers: IncomingHttpHeaders; body: string }> = [];

    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
          seen.push({ path: req.url, headers: req.headers, body });
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ path: req.url }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => await new Promise((resolve) => server.close(resolve)));

    it('applies generic authentication to httpRequestWithAuthentication over real HTTP', async () => {
      const result = await runWorkflow(
        {
          nodes: [
            { name: 'Start', type: 'test.emit' },
            { name: 'Call', type: 'test.monitorCall' },
            { name: 'Route', type: 'test.router', parameters: { route: '={{ $json.authed.path }}' } },
          ],
          connections: connect(['Start', 'Call'], ['Call', 'Route']),
        },
        {
          nodeTypes: { 'test.monitorCall': MonitorCallNode, 'test.router': RouterNode },
          credentialTypes: [HandoffMonitorApi],
          credentials: { handoffMonitorApi: { url, token: 's3cret' } },
          input: [{ key: 'deal-1' }, { key: 'deal-2' }],
        },
      );

      expect(result.status).toBe('success');
      expect(result.jsonOf('Call')).toEqual([{ authed: { path: '/api/v1/claims' }, plain: { path: '/healthz' } }]);
      expect(result.jsonOf('Route', 1)).toEqual([expect.objectContaining({ route: '/api/v1/claims' })]);
      const [claims, health] = seen.slice(-2);
      expect(claims.headers.authorization).toBe('Bearer s3cret');
      expect(JSON.parse(claims.body)).toEqual({ keys: ['deal-1', 'deal-2'] });
      expect(health.headers.authorization).toBeUndefined();
    });

    it('names the missing credential when a test forgets to supply it', async () => {
      const result = await runWorkflow(
        {
          nodes: [
            { name: 'Start', type: 'test.emit' },
            { name: 'Call', type: 'test.monitorCall', credentials: { handoffMonitorApi: { id: '1', name: 'x' } } },
          ],
          connections: connect(['Start', 'Call']),
        },
        { nodeTypes: { 'test.monitorCall': MonitorCallNode }, credentialTypes: [HandoffMonitorApi] },
      );

      expect(result.status).toBe('error');
      expect(result.error?.message).toMatch(/No credentials of type "handoffMonitorApi"/);
    });
  });

  it('cancels the execution through the signal, which nodes see as getExecutionCancelSignal()', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await runWorkflow(
      {
        nodes: [
          { name: 'Start', type: 'test.emit' },
          { name: 'Backoff', type: 'test.backoff' },
        ],
        connections: connect(['Start', 'Backoff']),
      },
      { nodeTypes: { 'test.backoff': BackoffNode }, signal: controller.signal },
    );

    expect(result.status).toBe('canceled');
    expect(backoffCutShort).toBe(true);
  });
});
