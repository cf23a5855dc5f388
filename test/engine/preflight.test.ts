// Preflight Validate inside n8n-core's real WorkflowExecute: parameters, expressions, outputs,
// pairedItem, onError routing and checkpoints over real HTTP, as a user's workflow runs them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IExecuteFunctions, INodeExecutionData, INodeParameters, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { HandoffMonitorApi } from '../../credentials/HandoffMonitorApi.credentials';
import { PreflightValidate } from '../../nodes/PreflightValidate/PreflightValidate.node';
import { connect, runWorkflow, type HarnessNode, type HarnessWorkflow } from './harness';

const TYPE = 'n8n-nodes-handoff-guard.preflightValidate';

/** Evaluates `value` per item, so an expression that follows pairedItem back is resolved by the engine. */
class EchoNode implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Echo',
    name: 'test.echo',
    group: ['transform'],
    version: 1,
    description: 'Echo',
    defaults: { name: 'Echo' },
    inputs: ['main'],
    outputs: ['main'],
    properties: [{ displayName: 'Value', name: 'value', type: 'string', default: '' }],
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return [this.getInputData().map((_, i) => ({ json: { value: this.getNodeParameter('value', i) as string }, pairedItem: { item: i } }))];
  }
}
const nodeTypes = { [TYPE]: PreflightValidate };

const dealSchema = {
  type: 'object',
  required: ['dealId', 'client', 'amount'],
  properties: {
    dealId: { type: 'string', pattern: '^D-[0-9]+$' },
    client: { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' } } },
    amount: { type: 'number', minimum: 0 },
  },
};

const good = { dealId: 'D-1', client: { email: 'a@example.com' }, amount: 100 };
const bad = { dealId: 'D-2', client: { email: 'not-an-email' }, amount: -5 };

function flow(parameters: INodeParameters, extra: Partial<HarnessNode> = {}): HarnessWorkflow {
  return {
    nodes: [
      { name: 'Start', type: 'test.emit' },
      { name: 'Preflight', type: TYPE, parameters, ...extra },
    ],
    connections: connect(['Start', 'Preflight']),
  };
}

describe('Preflight Validate in the engine', () => {
  describe('JSON Schema mode', () => {
    it('sends valid items to Valid and invalid ones to Invalid with pointer, sentence and value', async () => {
      const result = await runWorkflow(flow({ schema: JSON.stringify(dealSchema) }), { nodeTypes, input: [good, bad, good] });

      expect(result.status).toBe('success');
      expect(result.jsonOf('Preflight', 0)).toEqual([good, good]);
      // Valid items carry pairedItem as the bare input index (n8n reads a number as { item: n }).
      expect(result.outputOf('Preflight', 0).map((i) => i.pairedItem)).toEqual([0, 2]);
      const [invalid] = result.outputOf('Preflight', 1);
      expect(invalid.pairedItem).toEqual({ item: 1 });
      const validation = invalid.json._validation as { errors: Array<Record<string, unknown>>; summary: string };
      expect(validation.errors).toEqual([
        expect.objectContaining({ pointer: '/client/email', field: 'client.email', rule: 'format', value: 'not-an-email' }),
        expect.objectContaining({
          pointer: '/amount',
          rule: 'minimum',
          value: -5,
          message: 'Field "amount" must be at least 0 (it is -5).',
        }),
      ]);
      expect(validation.summary).toMatch(/^2 problems: Field "client.email" must be an email address/);
    });

    it("pairs each Valid item with its input, so a later node's $('Start').item finds the right one", async () => {
      const result = await runWorkflow(
        {
          nodes: [
            { name: 'Start', type: 'test.emit' },
            { name: 'Preflight', type: TYPE, parameters: { schema: JSON.stringify(dealSchema) } },
            { name: 'Echo', type: 'test.echo', parameters: { value: "={{ $('Start').item.json.dealId }}" } },
          ],
          connections: connect(['Start', 'Preflight'], ['Preflight', 'Echo']),
        },
        { nodeTypes: { ...nodeTypes, 'test.echo': EchoNode }, input: [bad, { ...good, dealId: 'D-7' }, { ...good, dealId: 'D-9' }] },
      );
      expect(result.status).toBe('success');
      expect(result.jsonOf('Echo')).toEqual([{ value: 'D-7' }, { value: 'D-9' }]);
    });

    it('takes the schema from an earlier node through an expression, read once per run', async () => {
      const result = await runWorkflow(
        {
          nodes: [
            { name: 'Start', type: 'test.emit' },
            { name: 'Preflight', type: TYPE, parameters: { schema: "={{ $('Start').first().json.schema }}" } },
          ],
          connections: connect(['Start', 'Preflight']),
        },
        {
          nodeTypes,
          input: [
            { schema: { type: 'object', required: ['ok'] }, ok: 1 },
            { schema: {}, nope: 1 },
          ],
        },
      );
      expect(result.outputOf('Preflight', 0)).toHaveLength(1);
      expect(result.jsonOf('Preflight', 1)[0]._validation).toMatchObject({
        errors: [{ pointer: '/ok', message: 'Field "ok" is required but missing.' }],
      });
    });

    it('fails before any item runs when the schema is malformed, naming the schema path', async () => {
      const schema = { type: 'object', properties: { amount: { type: 'money' } } };
      const result = await runWorkflow(flow({ schema: JSON.stringify(schema) }), { nodeTypes, input: [good] });

      expect(result.status).toBe('error');
      expect(result.error?.message).toBe('The schema has a mistake at /properties/amount/type');
      expect(result.error?.description).toMatch(/must be one of: "array", "boolean"/);
    });

    it('under continueErrorOutput, an item whose own schema is broken goes to the error output', async () => {
      const result = await runWorkflow(flow({ schemaSource: 'field', schemaField: 'schema' }, { onError: 'continueErrorOutput' }), {
        nodeTypes,
        input: [{ schema: { required: ['a'] }, a: 1 }, { schema: { type: 'nope' } }, { schema: { required: ['a'] } }],
      });
      expect(result.status).toBe('success');
      expect(result.outputOf('Preflight', 0).map((i) => i.pairedItem)).toEqual([0]);
      expect(result.outputOf('Preflight', 1).map((i) => i.pairedItem)).toEqual([{ item: 2 }]);
      const [errored] = result.outputOf('Preflight', 2);
      expect(errored.pairedItem).toEqual({ item: 1 });
      expect(errored.json.error).toMatch(/schema in field "schema" of item 1 has a mistake at \/type/);
    });
  });

  describe('field rules and reference checks', () => {
    it('checks required, format, enum and a reference list from an earlier node', async () => {
      const result = await runWorkflow(
        {
          nodes: [
            { name: 'Start', type: 'test.emit' },
            {
              name: 'Preflight',
              type: TYPE,
              parameters: {
                mode: 'rules',
                rules: {
                  rule: [
                    { field: 'dealId', check: 'required' },
                    { field: 'client.email', check: 'format', format: 'email' },
                    { field: 'stage', check: 'enum', values: 'closed-won, closed-lost' },
                  ],
                },
                references: {
                  reference: [
                    { field: 'clientId', listSource: 'list', allowedValues: "={{ $('Start').all().map(i => i.json.known).flat() }}" },
                  ],
                },
              },
            },
          ],
          connections: connect(['Start', 'Preflight']),
        },
        {
          nodeTypes,
          input: [
            { dealId: 'D-1', client: { email: 'a@b.co' }, stage: 'closed-won', clientId: 'C-1', known: ['C-1', 'C-2'] },
            { client: { email: 'x' }, stage: 'won', clientId: 'C-9' },
          ],
        },
      );
      expect(result.outputOf('Preflight', 0)).toHaveLength(1);
      const errors = (result.jsonOf('Preflight', 1)[0]._validation as { errors: Array<{ pointer: string; rule: string }> }).errors;
      expect(errors.map((e) => [e.pointer, e.rule])).toEqual([
        ['/dealId', 'required'],
        ['/client/email', 'format'],
        ['/stage', 'enum'],
        ['/clientId', 'reference'],
      ]);
    });

    it('rejects a rule with an invalid pattern before any item runs', async () => {
      const result = await runWorkflow(flow({ mode: 'rules', rules: { rule: [{ field: 'dealId', check: 'pattern', pattern: '([' }] } }), {
        nodeTypes,
        input: [good],
      });
      expect(result.status).toBe('error');
      expect(result.error?.message).toMatch(/^Rule 1: the pattern "\(\[" for "dealId" is not a valid regular expression/);
    });
  });

  describe('checkpoints', () => {
    let server: Server;
    let url: string;
    let status = 202;
    const bodies: Array<{ auth?: string; body: { events: Array<Record<string, unknown>> } }> = [];

    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
          bodies.push({ auth: req.headers.authorization, body: JSON.parse(body) });
          res.statusCode = status;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(status === 202 ? { accepted: 1 } : { error: { message: 'down' } }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => await new Promise((resolve) => server.close(resolve)));

    it('reports validated / invalid per key in one batched request', async () => {
      bodies.length = 0;
      status = 202;
      const result = await runWorkflow(flow({ schema: JSON.stringify(dealSchema), handoff: 'kickoff', keyField: 'dealId' }), {
        nodeTypes,
        credentialTypes: [HandoffMonitorApi],
        credentials: { handoffMonitorApi: { url, token: 't0ken-value' } },
        input: [good, bad],
      });
      expect(result.status).toBe('success');
      expect(bodies).toHaveLength(1);
      expect(bodies[0].auth).toBe('Bearer t0ken-value');
      expect(bodies[0].body.events).toEqual([
        expect.objectContaining({
          handoff: 'kickoff',
          key: 'D-1',
          kind: 'validated',
          execution: expect.objectContaining({ workflowId: 'harness-workflow' }),
        }),
        expect.objectContaining({
          handoff: 'kickoff',
          key: 'D-2',
          kind: 'invalid',
          details: { errors: expect.arrayContaining([expect.objectContaining({ pointer: '/amount' })]) },
        }),
      ]);
    });

    it('a monitor outage adds a hint and never fails the node', async () => {
      status = 503;
      const result = await runWorkflow(flow({ schema: JSON.stringify(dealSchema), handoff: 'kickoff' }), {
        nodeTypes,
        credentialTypes: [HandoffMonitorApi],
        credentials: { handoffMonitorApi: { url, token: 't' } },
        input: [good],
      });
      expect(result.status).toBe('success');
      expect(result.jsonOf('Preflight', 0)).toEqual([good]);
      expect(result.runData.Preflight[0].hints.map((h) => h.message)).toEqual([expect.stringMatching(/Checkpoints were not recorded/)]);
    });
  });
});
