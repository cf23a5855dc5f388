// Runs a workflow through n8n-core's real WorkflowExecute, the way n8n's own node tests do: the
// start node gets the test's items as input, and the engine does the rest (expressions,
// pairedItem, continueOnFail/onError routing, multiple outputs, credentials, HTTP).
import './env';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
  ICredentialDataDecryptedObject,
  IDataObject,
  INodeExecutionData,
  IRun,
  IWorkflowSettings,
  WorkflowExecuteMode,
} from 'n8n-workflow';
import { UnexpectedError, Workflow, createRunExecutionData } from 'n8n-workflow';

import { buildAdditionalData } from './additional-data';
import { HarnessCredentialTypes, type CredentialTypeInput } from './credential-types';
import { HarnessCredentialsHelper } from './credentials-helper';
import { EMIT_NODE_TYPE } from './emit-node';
import { HarnessNodeTypes, type NodeTypeMap } from './node-types';
import { toRunResult, type RunResult } from './result';
import { completeNodes, type HarnessWorkflow } from './workflow';

export interface RunOptions {
  /** Node implementations by the type name the workflow's nodes use. `test.emit` is built in. */
  nodeTypes: NodeTypeMap;
  /** Credential data by credential type name, e.g. `{ handoffMonitorApi: { url, token } }`. */
  credentials?: Record<string, ICredentialDataDecryptedObject>;
  /** Credential type classes (or instances) whose `authenticate` and defaults should apply. */
  credentialTypes?: CredentialTypeInput[];
  /** Items for the start node: plain objects become `{ json }`. Default: one empty item. */
  input?: Array<IDataObject | INodeExecutionData>;
  /**
   * Node to start from. Default: the workflow's single emitting node (`test.emit`, or any type
   * mapped to EmitNode, e.g. `{ 'n8n-nodes-base.manualTrigger': EmitNode }` for an exported fixture).
   */
  startNode?: string;
  /** Default 'manual', as in n8n's own node tests; 'trigger'/'webhook' behave like production. */
  mode?: WorkflowExecuteMode;
  settings?: IWorkflowSettings;
  /** Aborting cancels the execution; nodes see it through `getExecutionCancelSignal()`. */
  signal?: AbortSignal;
}

let executionCounter = 0;

const isExecutionItem = (item: IDataObject | INodeExecutionData): item is INodeExecutionData =>
  typeof item.json === 'object' && item.json !== null && !Array.isArray(item.json);

export async function runWorkflow(workflowData: HarnessWorkflow, options: RunOptions): Promise<RunResult> {
  const nodeTypes = new HarnessNodeTypes(options.nodeTypes);
  const credentialTypes = new HarnessCredentialTypes(options.credentialTypes);
  const credentialsHelper = new HarnessCredentialsHelper(credentialTypes, options.credentials);

  const nodes = completeNodes(workflowData.nodes, nodeTypes, Object.keys(options.credentials ?? {}));
  const workflow = new Workflow({
    id: 'harness-workflow',
    name: 'Engine test',
    nodes,
    connections: workflowData.connections,
    active: false,
    nodeTypes,
    settings: { executionOrder: 'v1', ...options.settings },
  });

  const startName = options.startNode ?? findEmitNode(nodes.filter((n) => nodeTypes.isEmitter(n.type)).map((n) => n.name));
  const startNode = workflow.getNode(startName);
  if (!startNode) throw new UnexpectedError(`Start node "${startName}" is not in the workflow`);

  const mode = options.mode ?? 'manual';
  const executionId = String(++executionCounter);
  const hooks = new ExecutionLifecycleHooks(mode, executionId, {
    id: workflow.id,
    name: 'Engine test',
    active: false,
    activeVersionId: null,
    isArchived: false,
    nodes,
    connections: workflowData.connections,
    settings: workflow.settings,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  const executionOrder: string[] = [];
  hooks.addHandler('nodeExecuteAfter', (nodeName) => {
    executionOrder.push(nodeName);
  });
  let reportFinished: (run: IRun) => void = () => {};
  const finished = new Promise<IRun>((resolve) => (reportFinished = resolve));
  hooks.addHandler('workflowExecuteAfter', (run) => reportFinished(run));

  const items = (options.input ?? [{ json: {} }]).map((item) => (isExecutionItem(item) ? item : { json: item }));
  const runExecutionData = createRunExecutionData({
    executionData: {
      nodeExecutionStack: [{ node: startNode, data: { main: [items] }, source: null }],
    },
  });

  const additionalData = buildAdditionalData(executionId, credentialsHelper, hooks);
  const started = performance.now();
  const execution = new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);
  const cancel = () => execution.cancel();
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    let run: IRun;
    try {
      run = await execution;
    } catch (error) {
      // A cancelled run rejects, but the engine still reports its final state to the hook.
      if (!execution.isCanceled) throw error;
      run = await finished;
    }
    return toRunResult(run, executionOrder, performance.now() - started);
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }
}

function findEmitNode(emitNodes: string[]): string {
  if (emitNodes.length === 1) return emitNodes[0];
  throw new UnexpectedError(
    `Add exactly one node of type "${EMIT_NODE_TYPE}" to feed the workflow, or pass \`startNode\` (found ${emitNodes.length}: ${emitNodes.join(', ') || 'none'})`,
  );
}
