/**
 * The audit's vocabulary: a workflow as the audit reads it (the shape of n8n's workflow JSON, cut
 * down to what matters), what one node does to which system, and the findings. Nothing here does
 * I/O; docs/audit.md describes the rules these types carry.
 */

/** A node as n8n's workflow JSON holds it; fields the audit does not read are ignored. */
export interface AuditNode {
  name: string;
  type: string;
  typeVersion?: number;
  parameters?: Record<string, unknown>;
  disabled?: boolean;
  /** n8n's node settings: Retry On Fail, Max Tries, On Error, and the legacy Continue On Fail. */
  retryOnFail?: boolean;
  maxTries?: number;
  onError?: string;
  continueOnFail?: boolean;
  webhookId?: string;
}

/** `connections[from][type][output] = [{node, type, index}]`, as n8n stores it. */
export type AuditConnections = Record<string, Record<string, ({ node: string; type?: string; index?: number }[] | null)[] | undefined>>;

export interface AuditWorkflow {
  id: string;
  name: string;
  /** A published (active) version exists: its triggers fire on their own. */
  published: boolean;
  archived?: boolean;
  tags: string[];
  nodes: AuditNode[];
  connections: AuditConnections;
  settings: { errorWorkflow?: string; [k: string]: unknown };
  /** Which version the nodes are: the published one (what production runs) or the saved draft. */
  version?: 'published' | 'draft';
}

export type Severity = 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low'];
export const SEVERITY_RANK: Record<Severity, number> = { high: 3, medium: 2, low: 1 };

export type TriggerKind = 'webhook' | 'form' | 'schedule' | 'app' | 'email' | 'manual' | 'error' | 'sub-workflow' | 'chat' | 'other';

export interface Trigger {
  node: string;
  kind: TriggerKind;
  /** Words for people: "HubSpot trigger (deal.creation)", "POST /webhook/handoff-kickoff", "every hour". */
  label: string;
  /** The system the trigger listens to: an app trigger's app, or a webhook's caller. */
  system?: string;
  /** The webhook path (webhook and form triggers). */
  path?: string;
}

/** A system the audit saw, identified as the contract names it where it can be matched. */
export interface AuditSystem {
  id: string;
  name: string;
  kind: string;
  /** The id of the matching system in the contract; undefined when the contract has none. */
  contractId?: string;
  /** How it was recognised: an n8n app node, a known API host, the contract's url, id or name, or a bare host. */
  via: 'app' | 'api-host' | 'contract-url' | 'contract-name' | 'host' | 'webhook' | 'n8n';
  /** Hosts seen for it, for the reader. */
  hosts: string[];
}

export type Access = 'read' | 'write';

/**
 * What one enabled node does to a system. A "record" write creates or changes an object (the part
 * of a handoff that can be lost or doubled); a "message" write posts to chat or mail.
 */
export interface NodeAction {
  node: string;
  type: string;
  access: Access;
  /** 'record' or 'message'; reads are 'record'. */
  effect: 'record' | 'message';
  /** A repeat creates a second object (create, add, post, send, upload…); update, upsert and delete do not. */
  duplicates: boolean;
  /** Words: "task.create", "POST", "message.post". */
  operation: string;
  /** The system's id in the audit (see AuditSystem); undefined when the URL could not be resolved. */
  system?: string;
  host?: string;
  /** The URL as written when it could not be resolved to a host (an expression). */
  unresolved?: string;
  /** HTTP method, for HTTP Request and Resilient Request. */
  method?: string;
  /** An Idempotency-Key header is sent (Resilient Request: a key source; HTTP Request: the header). */
  idempotencyKey?: boolean;
  /** How the node retries: Resilient Request's own loop, n8n's Retry On Fail, or not at all. */
  retry: 'resilient' | 'retry-on-fail' | 'none' | 'resilient-no-key';
  /** Calls another workflow of this n8n through its production webhook (by path). */
  invokes?: string;
}

export interface Finding {
  severity: Severity;
  /** Stable id of the rule, for scripts: no-gate, retry-duplicates, no-exception-path, … */
  rule: string;
  workflowId?: string;
  workflow?: string;
  node?: string;
  /** The contract handoff it concerns, for contract cross-checks. */
  handoff?: string;
  /** One sentence: why it matters. */
  why: string;
  /** What to do about it. */
  fix: string;
}

export type WorkflowRole =
  /** Creates or changes records in at least one system: a handoff. */
  | 'handoff'
  /** Only deletes records (a smoke test tidying up): nothing it does can double. */
  | 'cleanup'
  /** Reads, and at most posts messages (a reconcile, a report). */
  | 'read-only'
  /** Posts messages only. */
  | 'notification'
  /** Runs when another workflow fails (Error Trigger). */
  | 'error-handler'
  /** Touches no system the audit recognises. */
  | 'internal';

export interface Safeguards {
  /** Idempotency Gate Claim before every write that can duplicate. */
  claim: 'yes' | 'partial' | 'no' | 'n/a';
  /** Idempotency Gate Complete after the last write (only asked when there is a claim). */
  complete: 'yes' | 'partial' | 'no' | 'n/a';
  retries: 'safe' | 'unsafe' | 'none' | 'partial' | 'n/a';
  qa: 'qa-verify' | 'read-back' | 'reconcile' | 'no' | 'n/a';
  exceptionPath: 'exception-router' | 'error-workflow' | 'both' | 'no' | 'partial' | 'n/a';
  /** The contract handoff that names this workflow (by id or tag). */
  contract?: string;
}

export interface WorkflowAudit {
  id: string;
  name: string;
  published: boolean;
  version: 'published' | 'draft';
  role: WorkflowRole;
  triggers: Trigger[];
  /** System ids read from and written to (records and messages), in first-seen order. */
  reads: string[];
  writes: string[];
  /** Record-write systems only: the handoff's targets. */
  targets: string[];
  /** The system the handoff's object comes from (the trigger's system, or the first system read). */
  source?: string;
  actions: NodeAction[];
  /** URLs whose host an expression hides, by node. */
  unresolved: { node: string; url: string }[];
  /** The Handoff Guard nodes (Gate claim/complete/release, QA Verify, Preflight, Exception Router) and the handoff each names. */
  guards: { node: string; role: string; handoff?: string }[];
  /** Handoff ids that the Handoff Guard nodes of this workflow name. */
  handoffsNamed: string[];
  safeguards: Safeguards;
  errorWorkflow?: { id: string; name?: string; exists: boolean; published: boolean };
  findings: Finding[];
}

/** A handoff drawn on the map that the contract does not hold (or holds without this target). */
export interface DiscoveredEdge {
  workflowId: string;
  workflow: string;
  from: string;
  to: string;
}

export interface AuditReport {
  generatedAt: string;
  n8nBaseUrl?: string;
  /** Workflows read and those left out (archived). */
  counts: { workflows: number; archived: number; handoffs: number; guarded: number; findings: Record<Severity, number> };
  workflows: WorkflowAudit[];
  systems: AuditSystem[];
  /** Findings of every workflow and of the contract, most severe first. */
  findings: Finding[];
  /** Systems seen in n8n that the contract lacks, and handoffs it lacks: the map draws them apart. */
  discovered: { systems: string[]; edges: DiscoveredEdge[] };
  contractLoaded: boolean;
}
