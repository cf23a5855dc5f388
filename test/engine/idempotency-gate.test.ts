/**
 * The Idempotency Gate inside n8n-core's real WorkflowExecute, talking to a real monitor over HTTP.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { HandoffMonitorApi } from '../../credentials/HandoffMonitorApi.credentials';
import { IdempotencyGate } from '../../nodes/IdempotencyGate/IdempotencyGate.node';
import { connect, runWorkflow, type HarnessNode } from './harness';
import { startTestMonitor, type TestMonitor } from '../support/monitor';

const GATE = 'n8n-nodes-handoff-guard.idempotencyGate';
let m: TestMonitor;

beforeAll(async () => {
  m = await startTestMonitor();
});
afterAll(async () => {
  await m.close();
});

function gate(parameters: INodeParameters, extra: Partial<HarnessNode> = {}): HarnessNode {
  return { name: 'Gate', type: GATE, parameters: { handoff: 'kickoff', ...parameters }, ...extra };
}

function run(gateNode: HarnessNode, input: IDataObject[], credentials: { url: string; token: string } = { url: m.url, token: m.token }) {
  return runWorkflow(
    { nodes: [{ name: 'Start', type: 'test.emit' }, gateNode], connections: connect(['Start', 'Gate']) },
    {
      nodeTypes: { [GATE]: IdempotencyGate },
      credentialTypes: [HandoffMonitorApi],
      credentials: { handoffMonitorApi: credentials },
      input,
    },
  );
}

const keysOn = (result: Awaited<ReturnType<typeof run>>, output: number) =>
  result.jsonOf('Gate', output).map((j) => (j._handoff as { key: string }).key);

describe('Idempotency Gate in the real engine', () => {
  it('sorts a batch into New and Duplicate with _handoff metadata and pairedItem', async () => {
    const result = await run(gate({ operation: 'claim' }), [{ dealId: 'g1' }, { dealId: 'g2' }, { dealId: 'g1' }]);
    expect(result.status).toBe('success');
    expect(keysOn(result, 0)).toEqual(['g1', 'g2']);
    expect(result.jsonOf('Gate', 1)).toEqual([
      {
        dealId: 'g1',
        _handoff: {
          handoff: 'kickoff',
          key: 'g1',
          decision: 'in_progress',
          attempt: 1,
          state: 'claimed',
          reason: 'another execution holds a live lease',
        },
      },
    ]);
    expect(result.outputOf('Gate', 0).map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
    expect(result.outputOf('Gate', 1)[0].pairedItem).toEqual({ item: 2 });
  });

  it('completes keys so a later run sees them as duplicates', async () => {
    await run(gate({ operation: 'claim' }), [{ dealId: 'c1' }]);
    const done = await run(gate({ operation: 'complete', reason: 'project created' }), [{ dealId: 'c1' }]);
    expect(done.jsonOf('Gate', 0)[0]._handoff).toEqual({
      handoff: 'kickoff',
      key: 'c1',
      outcome: 'completed',
      state: 'completed',
      attempt: 1,
    });
    const again = await run(gate({ operation: 'claim' }), [{ dealId: 'c1' }]);
    expect(again.jsonOf('Gate', 1)[0]._handoff).toMatchObject({ decision: 'duplicate', reason: 'completed' });
  });

  it('release lets a retry claim again with the next attempt', async () => {
    await run(gate({ operation: 'claim' }), [{ dealId: 'r1' }]);
    await run(gate({ operation: 'release', reason: 'task board down' }), [{ dealId: 'r1' }]);
    const retry = await run(gate({ operation: 'claim' }), [{ dealId: 'r1' }]);
    expect(retry.jsonOf('Gate', 0)[0]._handoff).toMatchObject({ decision: 'new', attempt: 2 });
  });

  it('reads nested keys by path and by expression', async () => {
    const byPath = await run(gate({ keySource: 'field', keyField: 'deal.id' }), [{ deal: { id: 77 } }]);
    expect(keysOn(byPath, 0)).toEqual(['77']);
    const byExpression = await run(gate({ keySource: 'expression', key: '={{ $json.deal.id }}-kickoff' }), [{ deal: { id: 78 } }]);
    expect(keysOn(byExpression, 0)).toEqual(['78-kickoff']);
  });

  it('sends a changed payload for a known key to Conflict', async () => {
    await run(gate({ fingerprintFields: 'amount' }), [{ dealId: 'f1', amount: 100 }]);
    const changed = await run(gate({ fingerprintFields: 'amount' }), [{ dealId: 'f1', amount: 250 }]);
    expect(changed.jsonOf('Gate', 2)[0]._handoff).toMatchObject({ key: 'f1', decision: 'conflict' });
  });

  it('fails the node on an item without a key, naming the item and the fix', async () => {
    const result = await run(gate({}), [{ dealId: 'ok-1' }, { name: 'no id' }]);
    expect(result.status).toBe('error');
    expect(result.error?.message).toBe('The idempotency key (field "dealId") is missing in item 1');
    expect(result.error?.description).toMatch(/every item has field "dealId"/);
  });

  it('with the error output wired, only the keyless item goes there; the rest are claimed', async () => {
    const result = await run(gate({}, { onError: 'continueErrorOutput' }), [{ dealId: 'eo-1' }, { name: 'no id' }]);
    expect(result.status).toBe('success');
    expect(keysOn(result, 0)).toEqual(['eo-1']);
    const errorItems = result.jsonOf('Gate', 3);
    expect(errorItems).toHaveLength(1);
    expect(errorItems[0]).toMatchObject({ name: 'no id', error: 'The idempotency key (field "dealId") is missing in item 1' });
  });

  it('with "continue (regular output)", a keyless item goes to Conflict, never to New', async () => {
    const result = await run(gate({}, { onError: 'continueRegularOutput' }), [{ dealId: 'cr-1' }, { dealId: '' }]);
    expect(keysOn(result, 0)).toEqual(['cr-1']);
    expect(result.jsonOf('Gate', 2)[0]).toMatchObject({ dealId: '', _handoff: { decision: 'error' } });
  });

  it('fails by default when the monitor is unreachable, and never drops items silently', async () => {
    const result = await run(gate({}), [{ dealId: 'u1' }], { url: 'http://127.0.0.1:9', token: m.token });
    expect(result.status).toBe('error');
    expect(result.error?.message).toMatch(/did not answer after 3 attempt\(s\)/);
    expect(result.error?.description).toMatch(/Nothing was claimed/);
  });

  it('lets items through marked "unverified" when told to, with a warning hint', async () => {
    const result = await run(gate({ onMonitorUnreachable: 'passThrough' }), [{ dealId: 'u2' }], {
      url: 'http://127.0.0.1:9',
      token: m.token,
    });
    expect(result.status).toBe('success');
    expect(result.jsonOf('Gate', 0)[0]._handoff).toMatchObject({ key: 'u2', decision: 'unverified' });
    expect(result.runData.Gate[0].hints[0].message).toMatch(/went through unverified/);
  });

  it('a wrong token is a clear configuration error, not "unreachable"', async () => {
    const result = await run(gate({ onMonitorUnreachable: 'passThrough' }), [{ dealId: 't1' }], {
      url: m.url,
      token: 'wrong-token-wrong-token',
    });
    expect(result.status).toBe('error');
    expect(result.error?.message).toMatch(/bearer token does not match/);
  });

  it('completing a key that was never claimed is a wiring mistake the node reports', async () => {
    const result = await run(gate({ operation: 'complete' }), [{ dealId: 'never-claimed' }]);
    expect(result.status).toBe('error');
    expect(result.error?.message).toBe('Key "never-claimed" was never claimed for handoff "kickoff"');
  });

  it('an unknown handoff is refused by the monitor with the list of known ones', async () => {
    const result = await run(gate({ handoff: 'kickof' }), [{ dealId: 'h1' }]);
    expect(result.status).toBe('error');
    expect(result.error?.message).toMatch(/Unknown handoff "kickof".*known: kickoff/);
  });

  it('claims 10,000 items in one request', async () => {
    const input = Array.from({ length: 10_000 }, (_, i) => ({ dealId: `bulk-${i}` }));
    const result = await run(gate({}), input);
    expect(result.outputOf('Gate', 0)).toHaveLength(10_000);
  });
});
