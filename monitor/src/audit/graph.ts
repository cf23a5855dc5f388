/**
 * A workflow's connections as a graph of node names: who follows whom on which output, what a
 * node reaches, and whether one node stands on every path to another. Pure; a workflow of 30
 * nodes is walked in microseconds, so nothing is cached beyond the adjacency lists.
 */
import type { AuditNode, AuditWorkflow } from './types';
import { shortType } from './apps';

export interface WorkflowGraph {
  nodes: Map<string, AuditNode>;
  /** Names connected to one output of a node (main connections only). */
  out(name: string, output: number): string[];
  /** How many outputs of a node have a connection list (connected or not). */
  outputs(name: string): number;
  successors(name: string): string[];
  predecessors(name: string): string[];
  /** Everything reachable from `from` (not including the starts unless a cycle comes back). */
  reach(from: string[], opts?: { skip?: Set<string> }): Set<string>;
  /** Nodes where a run starts: triggers, else nodes nothing points at. */
  roots: string[];
}

const TRIGGER_TYPES = new Set(['webhook', 'cron', 'interval', 'emailReadImap', 'start', 'formTrigger']);

export function isTriggerType(type: string): boolean {
  const s = shortType(type);
  return TRIGGER_TYPES.has(s) || /Trigger$/.test(s);
}

export function buildGraph(wf: AuditWorkflow): WorkflowGraph {
  const nodes = new Map(wf.nodes.map((n) => [n.name, n]));
  const outs = new Map<string, string[][]>();
  const preds = new Map<string, Set<string>>();
  for (const [from, byType] of Object.entries(wf.connections ?? {})) {
    if (!nodes.has(from)) continue;
    const main = byType?.main ?? [];
    const lists: string[][] = main.map((targets) => (targets ?? []).map((t) => t.node).filter((n) => nodes.has(n)));
    outs.set(from, lists);
    for (const list of lists) {
      for (const to of list) {
        let set = preds.get(to);
        if (!set) preds.set(to, (set = new Set()));
        set.add(from);
      }
    }
  }
  const successors = (name: string) => [...new Set((outs.get(name) ?? []).flat())];
  const reach = (from: string[], opts: { skip?: Set<string> } = {}) => {
    const seen = new Set<string>();
    const queue = [...from];
    while (queue.length) {
      const n = queue.shift()!;
      for (const next of successors(n)) {
        if (seen.has(next)) continue;
        seen.add(next);
        if (opts.skip?.has(next)) continue;
        queue.push(next);
      }
    }
    return seen;
  };
  const triggers = wf.nodes.filter((n) => isTriggerType(n.type) && !n.disabled).map((n) => n.name);
  const roots = triggers.length ? triggers : wf.nodes.filter((n) => !preds.has(n.name)).map((n) => n.name);
  return {
    nodes,
    out: (name, output) => outs.get(name)?.[output] ?? [],
    outputs: (name) => outs.get(name)?.length ?? 0,
    successors,
    predecessors: (name) => [...(preds.get(name) ?? [])],
    reach,
    roots,
  };
}

/** Whether every path from the roots to `target` passes through one of `guards`. */
export function guardedBy(g: WorkflowGraph, target: string, guards: Set<string>): boolean {
  if (guards.has(target)) return true;
  const starts = g.roots.filter((r) => !guards.has(r));
  if (starts.includes(target)) return false;
  return !g.reach(starts, { skip: guards }).has(target);
}

/** Nodes upstream of `name`, nearest first (breadth-first against the arrows). */
export function upstream(g: WorkflowGraph, name: string): string[] {
  const seen = new Set<string>([name]);
  const order: string[] = [];
  const queue = [name];
  while (queue.length) {
    const n = queue.shift()!;
    for (const p of g.predecessors(n)) {
      if (seen.has(p)) continue;
      seen.add(p);
      order.push(p);
      queue.push(p);
    }
  }
  return order;
}
