/**
 * The safeguards of one workflow and the findings where one is missing: an Idempotency Gate claim
 * before every write that can double and a complete after the last write, safe retries, a QA Verify
 * or a read-back after the writes, an exception path, and whether the contract names the workflow.
 * Pure. The rules and their severities are listed in docs/audit.md.
 */
import { appForNode, shortType } from './apps';
import { deletes, PACK, type GuardNode, type NodeFacts } from './actions';
import { guardedBy, type WorkflowGraph } from './graph';
import type { SystemRegistry } from './systems';
import type { AuditWorkflow, Finding, NodeAction, Safeguards, Severity, Trigger } from './types';

export interface SafeguardContext {
  wf: AuditWorkflow;
  g: WorkflowGraph;
  facts: NodeFacts;
  systems: SystemRegistry;
  /** The contract handoff naming this workflow, if any. */
  contractHandoff?: string;
  /** Handoff ids whose records another workflow reconciles (QA Verify, Reconcile mode). */
  reconciled: Set<string>;
  errorWorkflow?: { id: string; name?: string; exists: boolean; published: boolean };
}

/** Failure outputs of the pack's nodes: [output index, its name, what is lost when it leads nowhere, severity]. */
const FAILURE_OUTPUTS: Record<string, [number, string, string, Severity]> = {
  resilientRequest: [1, 'Failed', 'a request that still failed after its retries ends the run as a success and nobody hears of it', 'high'],
  qaVerify: [1, 'Fail', 'a mismatch between what was sent and what was read back passes silently', 'high'],
  preflightValidate: [1, 'Invalid', 'an invalid record is dropped without a word to anyone', 'high'],
};

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function checkSafeguards(c: SafeguardContext): { safeguards: Safeguards; findings: Finding[] } {
  const { wf, g, facts, systems } = c;
  const findings: Finding[] = [];
  const add = (severity: Severity, rule: string, node: string | undefined, why: string, fix: string) =>
    findings.push({ severity, rule, workflowId: wf.id, workflow: wf.name, node, why, fix });
  const sysName = (a: NodeAction) => (a.system ? (systems.get(a.system)?.name ?? a.system) : (a.host ?? 'an unknown system'));
  const object = (a: NodeAction) => objectWord(a);
  const writes = facts.actions.filter((a) => a.access === 'write' && !a.invokes);
  const records = writes.filter((a) => a.effect === 'record');
  const messages = writes.filter((a) => a.effect === 'message');
  const doubling = records.filter((a) => a.duplicates);
  const claims = facts.guards.filter((x) => x.role === 'claim');
  const completes = facts.guards.filter((x) => x.role === 'complete');
  const claimNames = new Set(claims.map((x) => x.node));
  const redelivery = redeliveryWords(facts.triggers);

  // 1. Idempotency Gate: a claim on every path to a write that can double, reached through New.
  const newOutputs = g.reach(claims.flatMap((x) => g.out(x.node, 0)));
  for (const x of claims) for (const n of g.out(x.node, 0)) newOutputs.add(n);
  let claimState: Safeguards['claim'] = doubling.length ? 'yes' : 'n/a';
  for (const a of doubling) {
    if (claims.length === 0) {
      claimState = 'no';
      add(
        'high',
        'no-gate',
        a.node,
        `${cap(redelivery)} runs '${a.node}' again and creates a second ${object(a)} in ${sysName(a)}.`,
        `Put an Idempotency Gate (Claim, keyed on the source record's id) before '${a.node}'; send Duplicate to a no-op and Conflict to an Exception Router.`,
      );
    } else if (!guardedBy(g, a.node, claimNames) || !newOutputs.has(a.node)) {
      claimState = 'partial';
      add(
        'high',
        'gate-bypassed',
        a.node,
        `'${a.node}' can run without passing the Gate's claim, so ${redelivery} still creates a second ${object(a)} in ${sysName(a)}.`,
        `Connect '${a.node}' only behind the Claim's New output.`,
      );
    }
  }

  // 2. Complete after the last write (asked only of workflows that claim).
  let completeState: Safeguards['complete'] = claims.length ? 'yes' : 'n/a';
  if (claims.length && completes.length === 0) {
    completeState = 'no';
    add(
      'high',
      'no-complete',
      claims[0].node,
      'Its claims are never completed: each key stays claimed until the lease runs out, the monitor reports every run as stalled, and a redelivery after the lease is let through as new.',
      `Add an Idempotency Gate (Complete, same handoff and key field) after the last write.`,
    );
  } else if (claims.length) {
    const completeNames = new Set(completes.map((x) => x.node));
    for (const a of records) {
      if (!newOutputs.has(a.node)) continue;
      const after = g.reach([a.node]);
      if (![...completeNames].some((n) => after.has(n))) {
        completeState = 'partial';
        add(
          'medium',
          'write-after-complete',
          a.node,
          `'${a.node}' runs after the key is completed (or on a path without Complete): if it fails, a retry is answered Duplicate and ${sysName(a)} never gets its ${object(a)}.`,
          `Move the Complete step after '${a.node}'.`,
        );
      }
    }
    const claimed = new Set(claims.map((x) => x.handoff).filter(Boolean));
    for (const x of completes) {
      if (x.handoff && claimed.size && !claimed.has(x.handoff)) {
        completeState = 'partial';
        add(
          'high',
          'handoff-mismatch',
          x.node,
          `'${x.node}' completes keys of handoff '${x.handoff}' but the claim was made for '${[...claimed].join("', '")}': the claimed keys never complete.`,
          'Use the same handoff on Claim and Complete.',
        );
      }
    }
  }

  // 3. Retries.
  let unsafe = 0;
  let safe = 0;
  for (const a of [...records, ...messages]) {
    const message = a.effect === 'message';
    if (a.retry === 'retry-on-fail' && a.duplicates && !a.idempotencyKey) {
      if (!message) unsafe++;
      const app = appForNode(a.type);
      const http = shortType(a.type) === 'httpRequest';
      if (message) {
        add(
          'low',
          'retry-duplicates',
          a.node,
          `Retry On Fail re-posts this message without an idempotency key: a slow first attempt can show up twice in ${sysName(a)}.`,
          `Acceptable for a notification; send an Idempotency-Key header if ${sysName(a)} honours one, or turn Retry On Fail off.`,
        );
      } else if (http || !app) {
        add(
          'high',
          'retry-duplicates',
          a.node,
          `Retry On Fail re-sends this POST without an Idempotency-Key: when the first attempt created the ${object(a)} but timed out, the retry creates a second one in ${sysName(a)}.`,
          `Send it through Resilient Request with an Idempotency-Key (or add the header, if ${sysName(a)} honours it), or turn Retry On Fail off and let the Gate and replay retry.`,
        );
      } else {
        add(
          'high',
          'retry-duplicates',
          a.node,
          `Retry On Fail repeats ${a.operation}, and n8n's ${app.name} node sends no idempotency key: a first attempt that created the ${object(a)} but timed out is repeated as a second one.`,
          `Turn Retry On Fail off here and retry through the Gate (release, then replay), or create it through Resilient Request with an Idempotency-Key.`,
        );
      }
      continue;
    }
    if (message) continue;
    if (a.retry === 'resilient' || a.retry === 'retry-on-fail') {
      safe++;
      continue;
    }
    if (a.retry === 'resilient-no-key') {
      add(
        'low',
        'resilient-no-key',
        a.node,
        `Resilient Request never retries a ${a.method} without an Idempotency-Key, so one timeout from ${sysName(a)} fails the handoff on the spot.`,
        'Set Idempotency Key to From a Field (_handoff.key, where a Gate before it puts the key).',
      );
      continue;
    }
    if (a.duplicates) {
      add(
        'medium',
        'no-retry',
        a.node,
        `'${a.node}' is tried once: a timeout or a 5xx from ${sysName(a)} fails the handoff on the spot.`,
        'Send it through Resilient Request with an Idempotency-Key: it retries with backoff and never doubles.',
      );
    } else {
      add(
        'low',
        'no-retry',
        a.node,
        `'${a.node}' is tried once: a timeout or a 5xx from ${sysName(a)} fails the handoff on the spot.`,
        `Turn on Retry On Fail: ${a.operation} can be repeated without doubling anything.`,
      );
    }
  }
  const retries: Safeguards['retries'] =
    records.length === 0 ? 'n/a' : unsafe ? 'unsafe' : safe === records.length ? 'safe' : safe === 0 ? 'none' : 'partial';

  // 4. QA: a QA Verify (Compare) or a read of the same system after each create/update, or a reconcile elsewhere.
  const checked = records.filter((a) => !deletes(a));
  let qa: Safeguards['qa'] = checked.length ? 'no' : 'n/a';
  if (checked.length) {
    const compares = facts.guards.filter((x) => x.role === 'qa-compare').map((x) => x.node);
    const reads = facts.actions.filter((a) => a.access === 'read' && !a.invokes);
    const unchecked: NodeAction[] = [];
    let byQa = 0;
    for (const a of checked) {
      const after = g.reach([a.node]);
      if (compares.some((n) => after.has(n))) byQa++;
      // Otherwise a later read of the same system (or host) reads the record back; only neither leaves it unchecked.
      else if (!reads.some((r) => after.has(r.node) && (r.system ? r.system === a.system : r.host !== undefined && r.host === a.host)))
        unchecked.push(a);
    }
    const handoffs = [c.contractHandoff, ...facts.guards.map((x) => x.handoff)].filter((h): h is string => Boolean(h));
    if (unchecked.length === 0) qa = byQa ? 'qa-verify' : 'read-back';
    else if (handoffs.some((h) => c.reconciled.has(h))) qa = 'reconcile';
    else {
      const last = unchecked[unchecked.length - 1];
      add(
        'medium',
        'no-qa',
        last.node,
        `Nothing reads back what '${last.node}' wrote${unchecked.length > 1 ? ` (nor ${unchecked.length - 1} other write${unchecked.length > 2 ? 's' : ''})` : ''}: a 2xx with a wrong or half-made ${object(last)} still counts as done.`,
        'Read the record back and compare it with QA Verify before completing, or reconcile source and target nightly (QA Verify, Reconcile mode).',
      );
    }
  }

  // 5. Exception path.
  const routers = new Set(facts.guards.filter((x) => x.role === 'router').map((x) => x.node));
  const reachesRouter = (names: string[]) => names.some((n) => routers.has(n) || [...g.reach([n])].some((m) => routers.has(m)));
  let routed = 0;
  let holes = 0;
  const checkOutput = (node: string, index: number, label: string, lost: string, severity: Severity) => {
    const targets = g.out(node, index);
    if (targets.length === 0) {
      holes++;
      add(
        severity,
        'failure-output-unwired',
        node,
        `The ${label} output of '${node}' leads nowhere: ${lost}.`,
        `Connect ${label} to an Exception Router: it opens an incident for the owner and releases the claim.`,
      );
    } else if (!reachesRouter(targets)) {
      add(
        'low',
        'failure-not-routed',
        node,
        `The ${label} output of '${node}' does not reach an Exception Router: the failure is handled, but no incident opens and no owner's SLA clock runs.`,
        'Route it through an Exception Router.',
      );
    } else routed++;
  };
  for (const node of wf.nodes) {
    if (node.disabled || !node.type.startsWith(PACK)) continue;
    const kind = node.type.slice(PACK.length);
    const out = FAILURE_OUTPUTS[kind];
    if (out) checkOutput(node.name, out[0], out[1], out[2], out[3]);
    if (kind === 'idempotencyGate' && claimNames.has(node.name)) {
      checkOutput(node.name, 2, 'Conflict', 'a repeat that arrives with a different payload is dropped silently', 'medium');
    }
  }
  // Native nodes that write: what happens when they throw.
  const throwing: NodeAction[] = [];
  for (const a of writes) {
    const node = g.nodes.get(a.node);
    if (!node || node.type.startsWith(PACK)) continue;
    const message = a.effect === 'message';
    if (node.onError === 'continueRegularOutput' || (node.onError === undefined && node.continueOnFail === true)) {
      holes++;
      add(
        message ? 'low' : 'high',
        'error-swallowed',
        a.node,
        `'${a.node}' is set to On Error: Continue, so a failed ${a.operation} flows on as an ordinary item and the run ends as a success.`,
        'Use On Error: Continue (using error output) and wire that output to an Exception Router, or Stop Workflow with an error workflow set.',
      );
    } else if (node.onError === 'continueErrorOutput') {
      const index = Math.max(1, g.outputs(a.node) - 1);
      checkOutput(
        a.node,
        index,
        'error',
        message ? 'a failed message is dropped silently' : 'an error of this node ends the run as a success and nobody hears of it',
        message ? 'low' : 'high',
      );
    } else {
      throwing.push(a);
    }
  }
  const ew = c.errorWorkflow;
  const ewOk = Boolean(ew?.exists && ew.published);
  if (throwing.length) {
    const first = throwing.find((a) => a.effect === 'record') ?? throwing[0];
    if (ew && !ew.exists) {
      holes++;
      add(
        'high',
        'error-workflow-missing',
        first.node,
        `The error workflow this workflow names (${ew.id}) does not exist in n8n, so a failure of '${first.node}' reaches nobody.`,
        'Point Settings → Error workflow at an existing, published error workflow with an Exception Router.',
      );
    } else if (ew && !ew.published) {
      holes++;
      add(
        'high',
        'error-workflow-unpublished',
        first.node,
        `The error workflow '${ew.name ?? ew.id}' is not published, and n8n never runs an unpublished error workflow: a failure of '${first.node}' reaches nobody.`,
        `Publish (activate) '${ew.name ?? ew.id}'.`,
      );
    } else if (!ew) {
      holes++;
      const covered = Boolean(c.contractHandoff);
      // A lost record is worse than a lost notification; the collector sees failed runs of contracted workflows.
      const severity: Severity = first.effect === 'record' ? (covered ? 'medium' : 'high') : covered ? 'low' : 'medium';
      add(
        severity,
        'no-exception-path',
        first.node,
        covered
          ? `When '${first.node}' fails the run stops in error with no error workflow: only the monitor's collector sees the failed run, without the key, and nothing releases the claim.`
          : `When '${first.node}' fails the run just stops in error: no error workflow is set and no Exception Router is wired, so nobody is told.`,
        "Set Settings → Error workflow to a published workflow with an Exception Router (like the shipped error-workflow.json), or wire the node's error output to an Exception Router.",
      );
    }
  }
  const anyPath = routed > 0 || (throwing.length > 0 && ewOk);
  const exceptionPath: Safeguards['exceptionPath'] =
    writes.length === 0 && routed === 0 && holes === 0
      ? 'n/a'
      : holes
        ? anyPath
          ? 'partial'
          : 'no'
        : routed && ewOk
          ? 'both'
          : routed
            ? 'exception-router'
            : ewOk
              ? 'error-workflow'
              : 'no';

  return { safeguards: { claim: claimState, complete: completeState, retries, qa, exceptionPath, contract: c.contractHandoff }, findings };
}

/** "task" from task.create, "record" from a bare POST. */
export function objectWord(a: NodeAction): string {
  if (a.method) return 'record';
  const [resource] = a.operation.split('.');
  if (!resource || resource === a.operation) return 'record';
  return resource.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** How the same object arrives twice, in words: "a retried HubSpot event". */
export function redeliveryWords(triggers: Trigger[]): string {
  const t = triggers.find((x) => x.kind !== 'manual') ?? triggers[0];
  switch (t?.kind) {
    case 'app':
      return `a repeated ${t.label.replace(/ trigger.*$/, '')} event`;
    case 'webhook':
      return 'a retried webhook delivery';
    case 'form':
      return 'a form submitted twice';
    case 'schedule':
      return 'a re-run of the schedule (or one that overlaps the last)';
    case 'email':
      return 'the same email read twice';
    default:
      return 'a second run for the same object';
  }
}

export type { GuardNode };
