// Turns the engine's IRun into what a test asserts on: per node, per run, the items on each
// output (json, pairedItem, error), plus lookups that explain themselves when a node did not run.
import type { ExecutionError, ExecutionStatus, IDataObject, INodeExecutionData, IRun, NodeExecutionHint } from 'n8n-workflow';

export interface NodeRun {
  /** Items per output index; an output the node left empty is []. */
  outputs: INodeExecutionData[][];
  /** The node's error when it failed (and did not continue on fail). */
  error?: ExecutionError;
  /** Hints from `this.addExecutionHints(...)`. */
  hints: NodeExecutionHint[];
  status?: ExecutionStatus;
}

export interface RunResult {
  status: ExecutionStatus;
  /** Per node, one entry per time it ran (runIndex). */
  runData: Record<string, NodeRun[]>;
  /** The execution's error, set when a node failed without continuing. */
  error?: ExecutionError;
  /** Node names in the order they finished. */
  executionOrder: string[];
  /** Wall time of the engine run (not counting harness setup). */
  durationMs: number;
  /** The engine's raw result, for anything the summary leaves out. */
  raw: IRun;
  /** Items a node put on one output (default: output 0 of its first run). */
  outputOf(nodeName: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
  /** Just the json of those items. */
  jsonOf(nodeName: string, outputIndex?: number, runIndex?: number): IDataObject[];
}

export function toRunResult(raw: IRun, executionOrder: string[], durationMs: number): RunResult {
  const runData: Record<string, NodeRun[]> = {};
  for (const [nodeName, tasks] of Object.entries(raw.data.resultData.runData)) {
    runData[nodeName] = tasks.map((task) => ({
      outputs: (task.data?.main ?? []).map((items) => items ?? []),
      error: task.error,
      hints: task.hints ?? [],
      status: task.executionStatus,
    }));
  }

  const outputOf = (nodeName: string, outputIndex = 0, runIndex = 0) => {
    const run = runData[nodeName]?.[runIndex];
    if (!run) {
      const ran = Object.keys(runData).join(', ') || 'none';
      const why = raw.data.resultData.error ? `; the execution failed: ${raw.data.resultData.error.message}` : '';
      throw new Error(`Node "${nodeName}" has no run ${runIndex} (nodes that ran: ${ran})${why}`);
    }
    return run.outputs[outputIndex] ?? [];
  };

  return {
    status: raw.status,
    runData,
    error: raw.data.resultData.error,
    executionOrder,
    durationMs,
    raw,
    outputOf,
    jsonOf: (nodeName, outputIndex, runIndex) => outputOf(nodeName, outputIndex, runIndex).map((i) => i.json),
  };
}
