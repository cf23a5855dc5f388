// QA Verify inside n8n-core's real WorkflowExecute: Compare per item (field and expression
// targets), Reconcile against a list from an earlier node, error routing and checkpoints.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { INodeParameters } from 'n8n-workflow';

import { HandoffMonitorApi } from '../../credentials/HandoffMonitorApi.credentials';
import { QaVerify } from '../../nodes/QaVerify/QaVerify.node';
import { connect, runWorkflow, type HarnessNode, type HarnessWorkflow } from './harness';

const TYPE = 'n8n-nodes-handoff-guard.qaVerify';
const nodeTypes = { [TYPE]: QaVerify };

const flow = (parameters: INodeParameters, extra: Partial<HarnessNode> = {}): HarnessWorkflow => ({
  nodes: [
    { name: 'Start', type: 'test.emit' },
    { name: 'QA', type: TYPE, parameters, ...extra },
  ],
  connections: connect(['Start', 'QA']),
});

const fields = { field: [{ source: 'title' }, { source: 'amount', target: 'budget' }] };

describe('QA Verify in the engine', () => {
  it('Compare: proven items pass, others fail with a readable diff, pairedItem kept', async () => {
    const result = await runWorkflow(flow({ fields, required: 'owner' }), {
      nodeTypes,
      input: [
        { dealId: 'D-1', title: 'Kickoff', amount: 100, target: { title: 'Kickoff ', budget: '100.00', owner: 'Dana' } },
        { dealId: 'D-2', title: 'Kickoff', amount: 100, target: { title: 'Other', budget: 100 } },
      ],
    });
    expect(result.status).toBe('success');
    expect(result.outputOf('QA', 0).map((i) => [i.json.dealId, i.json._qa, i.pairedItem])).toEqual([
      ['D-1', { passed: true }, { item: 0 }],
    ]);
    const [failed] = result.outputOf('QA', 1);
    expect(failed.pairedItem).toEqual({ item: 1 });
    expect((failed.json._qa as { diff: string }).diff).toBe(
      '• owner: required in the target but missing\n• title: expected "Kickoff", found "Other"',
    );
  });

  it('Compare: reads the target through an expression per item', async () => {
    const result = await runWorkflow(flow({ targetSource: 'expression', targetRecord: '={{ $json.readBack }}', fields }), {
      nodeTypes,
      input: [
        { title: 'A', amount: 1, readBack: { title: 'A', budget: 1 } },
        { title: 'A', amount: 1 },
      ],
    });
    expect(result.outputOf('QA', 0)).toHaveLength(1);
    expect(result.jsonOf('QA', 1)[0]._qa).toMatchObject({ differences: [{ kind: 'no_target_record' }] });
  });

  it('Compare: an item whose target expression throws goes to the error output under continueErrorOutput', async () => {
    const result = await runWorkflow(
      flow(
        {
          targetSource: 'expression',
          targetRecord: "={{ $json.raw ? JSON.parse($json.raw) : $('No Such Node').item.json }}",
          fields: { field: [{ source: 'x' }] },
        },
        { onError: 'continueErrorOutput' },
      ),
      { nodeTypes, input: [{ x: 1, raw: '{"x":1}' }, { x: 1 }] },
    );
    expect(result.status).toBe('success');
    expect(result.outputOf('QA', 0).map((i) => i.pairedItem)).toEqual([{ item: 0 }]);
    expect(result.outputOf('QA', 1)).toEqual([]);
    expect(result.outputOf('QA', 2).map((i) => i.pairedItem)).toEqual([{ item: 1 }]);
  });

  it('Compare: without continue on fail the error names the item', async () => {
    const result = await runWorkflow(
      flow({ targetSource: 'expression', targetRecord: "={{ $json.raw ? JSON.parse($json.raw) : $('No Such Node').item.json }}", fields }),
      {
        nodeTypes,
        input: [{ x: 1 }],
      },
    );
    expect(result.status).toBe('error');
    expect(result.runData.QA[0].error).toMatchObject({ context: expect.objectContaining({ itemIndex: 0 }) });
  });

  it('Reconcile: one report against the target list from an earlier node, within tolerance', async () => {
    const parameters = {
      mode: 'reconcile',
      sourceKey: 'dealId',
      targetKey: 'externalId',
      targetRecords: "={{ $('Start').first().json.targetList }}",
      fields,
      tolerance: { unit: 'count', missing: 1 },
    };
    const targetList = [{ externalId: 'D-1', title: 'A', budget: 1 }];
    const result = await runWorkflow(flow(parameters), {
      nodeTypes,
      input: [
        { dealId: 'D-1', title: 'A', amount: 1, targetList },
        { dealId: 'D-2', title: 'B', amount: 2 },
      ],
    });
    const [report] = result.outputOf('QA', 0);
    expect(report.pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
    expect(report.json.reconcile).toMatchObject({ passed: true, missingInTarget: ['D-2'], counts: { source: 2, target: 1, matched: 1 } });
  });

  it('Reconcile: a target that is not a list is a configuration error', async () => {
    const result = await runWorkflow(flow({ mode: 'reconcile', sourceKey: 'id', targetRecords: '={{ 5 }}' }), {
      nodeTypes,
      input: [{ id: 1 }],
    });
    expect(result.status).toBe('error');
    expect(result.error?.message).toBe('"Target Records" is not a list');
  });

  describe('checkpoints', () => {
    let server: Server;
    let url: string;
    const bodies: Array<{ events: Array<Record<string, unknown>> }> = [];

    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
          bodies.push(JSON.parse(body));
          res.statusCode = 202;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ accepted: 2 }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => await new Promise((resolve) => server.close(resolve)));

    it('reports verified / qa_failed per key in one request', async () => {
      const result = await runWorkflow(flow({ fields, handoff: 'kickoff', keyField: 'dealId' }), {
        nodeTypes,
        credentialTypes: [HandoffMonitorApi],
        credentials: { handoffMonitorApi: { url, token: 't' } },
        input: [
          { dealId: 'D-1', title: 'A', amount: 1, target: { title: 'A', budget: 1 } },
          { dealId: 'D-2', title: 'A', amount: 1, target: { title: 'B', budget: 1 } },
        ],
      });
      expect(result.status).toBe('success');
      expect(bodies).toHaveLength(1);
      expect(bodies[0].events).toEqual([
        expect.objectContaining({ handoff: 'kickoff', key: 'D-1', kind: 'verified' }),
        expect.objectContaining({
          handoff: 'kickoff',
          key: 'D-2',
          kind: 'qa_failed',
          details: { differences: ['title: expected "A", found "B"'] },
        }),
      ]);
    });
  });
});
