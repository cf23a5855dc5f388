// Engine-test harness: run workflows through n8n-core's real WorkflowExecute inside jest.
import './env';

export { runWorkflow, type RunOptions } from './run-workflow';
export type { NodeRun, RunResult } from './result';
export { connect, type HarnessNode, type HarnessWorkflow, type Link } from './workflow';
export { EMIT_NODE_TYPE, EmitNode } from './emit-node';
export type { CredentialTypeInput } from './credential-types';
export type { NodeTypeInput, NodeTypeMap } from './node-types';
export { loadWorkflowFixture, type WorkflowFixture } from './fixture';
