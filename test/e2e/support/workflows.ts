/**
 * The workflows the e2e tests import: the sales → delivery kickoff guarded by our Idempotency
 * Gate, and the same flow guarded by n8n's built-in Remove Duplicates (the peer we compare with).
 * The webhook body is the CRM's closed-won payload, so the deal id is at body.dealId.
 */
import crypto from 'crypto';

const GATE = 'n8n-nodes-handoff-guard.idempotencyGate';

type Node = {
  name: string;
  type: string;
  typeVersion: number;
  position: [number, number];
  parameters: Record<string, unknown>;
  [k: string]: unknown;
};

function webhook(path: string): Node {
  return {
    name: 'CRM closed-won',
    type: 'n8n-nodes-base.webhook',
    typeVersion: 2,
    position: [0, 0],
    webhookId: crypto.randomUUID(),
    // Answer the CRM at once, like a production hook should; the handoff runs after.
    parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
  };
}

function createProject(taskboardUrl: string, dealIdExpr: string, x: number): Node {
  return {
    name: 'Create project',
    type: 'n8n-nodes-base.httpRequest',
    typeVersion: 4.2,
    position: [x, 0],
    parameters: {
      method: 'POST',
      url: `${taskboardUrl}/taskboard/projects`,
      sendBody: true,
      bodyParameters: {
        parameters: [
          { name: 'dealId', value: `={{ ${dealIdExpr} }}` },
          { name: 'name', value: `=Kickoff {{ ${dealIdExpr} }}` },
        ],
      },
      options: {},
    },
  };
}

export function gateWorkflow(o: {
  name: string;
  path: string;
  mockUrl: string;
  credential: { id: string; name: string };
  leaseSeconds?: number;
  handoff: string;
}) {
  const credentials = { handoffMonitorApi: o.credential };
  const gate = (name: string, x: number, parameters: Record<string, unknown>): Node => ({
    name,
    type: GATE,
    typeVersion: 1,
    position: [x, 0],
    credentials,
    parameters: { handoff: o.handoff, keySource: 'field', onMonitorUnreachable: 'fail', ...parameters },
  });
  return {
    name: o.name,
    nodes: [
      webhook(o.path),
      gate('Claim deal', 250, { operation: 'claim', keyField: 'body.dealId', leaseSeconds: o.leaseSeconds ?? 0 }),
      createProject(o.mockUrl, '$json.body.dealId', 500),
      // The task board echoes the project, dealId included: that is the key to complete.
      gate('Complete deal', 750, { operation: 'complete', keyField: 'dealId' }),
    ],
    connections: {
      'CRM closed-won': { main: [[{ node: 'Claim deal', type: 'main', index: 0 }]] },
      'Claim deal': { main: [[{ node: 'Create project', type: 'main', index: 0 }], [], []] },
      'Create project': { main: [[{ node: 'Complete deal', type: 'main', index: 0 }]] },
    },
    settings: { executionOrder: 'v1' },
  };
}

export function removeDuplicatesWorkflow(o: { name: string; path: string; mockUrl: string }) {
  return {
    name: o.name,
    nodes: [
      webhook(o.path),
      {
        name: 'Remove Duplicates',
        type: 'n8n-nodes-base.removeDuplicates',
        typeVersion: 2,
        position: [250, 0] as [number, number],
        // "Remove Items Processed in Previous Executions" in the editor; keyed by the deal id.
        parameters: {
          operation: 'removeItemsSeenInPreviousExecutions',
          logic: 'removeItemsWithAlreadySeenKeyValues',
          dedupeValue: '={{ $json.body.dealId }}',
          options: {},
        },
      },
      createProject(o.mockUrl, '$json.body.dealId', 500),
    ],
    connections: {
      'CRM closed-won': { main: [[{ node: 'Remove Duplicates', type: 'main', index: 0 }]] },
      'Remove Duplicates': { main: [[{ node: 'Create project', type: 'main', index: 0 }]] },
    },
    settings: { executionOrder: 'v1' },
  };
}
