/**
 * Test-time twin of protocol-schemas.types.ts: each request schema of the monitor accepts exactly the
 * protocol's request type. A sample that fills every field the protocol names (Full<T> makes leaving
 * one out a compile error) must parse — the schemas are strict, so a protocol field the monitor does not
 * know fails here — and every field the schema knows must be one the sample (so the protocol) has.
 */
import { EVENT_LIMITS, type EventBatchRequest, type EventRequest } from '../../protocol/events';
import { INCIDENT_LIMITS, type IncidentActionRequest, type IncidentRequest } from '../../protocol/incidents';
import { LEDGER_LIMITS, type ClaimRequest, type SettleRequest } from '../../protocol/ledger';
import { MAX_HANDOFF_ID_LENGTH } from '../../protocol/paths';
import { eventBatchSchema, eventSchema } from '../../monitor/src/api/routes/events';
import { incidentActionSchema, incidentRequestSchema } from '../../monitor/src/api/routes/incidents';
import { claimRequestSchema, settleRequestSchema } from '../../monitor/src/api/validate';

/** T with every optional field required, at every depth: a sample of it names every field. */
type Full<T> = T extends readonly (infer U)[] ? Full<U>[] : T extends object ? { [K in keyof T]-?: Full<T[K]> } : T;

interface SchemaNode {
  _zod: {
    def: {
      type: string;
      shape?: Record<string, SchemaNode>;
      innerType?: SchemaNode;
      element?: SchemaNode;
      options?: readonly SchemaNode[];
      in?: SchemaNode;
    };
  };
}

/** The field paths a zod schema knows (`items[].key`); free-form objects (custom, record) are leaves. */
function schemaPaths(node: SchemaNode, at = ''): string[] {
  const def = node._zod.def;
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape!).flatMap(([k, v]) => [`${at}.${k}`, ...schemaPaths(v, `${at}.${k}`)]);
    case 'optional':
    case 'default':
    case 'nullable':
      return schemaPaths(def.innerType!, at);
    case 'array':
      return schemaPaths(def.element!, `${at}[]`);
    case 'union':
      return [...new Set(def.options!.flatMap((o) => schemaPaths(o, at)))];
    case 'pipe':
      return schemaPaths(def.in!, at);
    default:
      return [];
  }
}

/** The field paths a sample holds, stopping where the schema stops (its free-form objects are data). */
function samplePaths(value: unknown, known: Set<string>, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => samplePaths(v, known, `${at}[]`));
  if (typeof value !== 'object' || value === null) return [];
  if (at !== '' && !known.has(`${at}[]`) && ![...known].some((p) => p.startsWith(`${at}.`))) return [];
  return Object.entries(value).flatMap(([k, v]) => [`${at}.${k}`, ...samplePaths(v, known, `${at}.${k}`)]);
}

const execution = { id: '812', workflowId: 'wf-7' };
const claim: Full<ClaimRequest> = {
  handoff: 'deal-to-project',
  leaseSeconds: 60,
  execution,
  items: [{ key: 'deal-1', fingerprint: 'f'.repeat(64) }],
};
const settle: Full<SettleRequest> = { handoff: 'deal-to-project', keys: ['deal-1'], reason: 'target said 409' };
const event: Full<EventRequest> = {
  handoff: 'deal-to-project',
  key: 'deal-1',
  kind: 'validated',
  at: '2026-01-31T12:00:00Z',
  execution,
  details: { rows: 1 },
};
const batch: Full<EventBatchRequest> = { events: [event] };
const incident: Full<IncidentRequest> = {
  handoff: 'deal-to-project',
  dedupKey: 'deal-to-project:deal-1:request_failed',
  title: 'Task board answered 500',
  kind: 'request_failed',
  severity: 'critical',
  owner: { name: 'Dana', channel: '#ops', email: 'dana@agency.example' },
  slaSeconds: 3600,
  error: { message: 'HTTP 500', description: 'Internal Server Error', node: 'Create project', httpCode: 500 },
  context: { dealId: 'deal-1' },
  execution: { ...execution, workflowName: 'Deal → project', url: 'https://n8n.example/workflow/wf-7/executions/812' },
  idempotencyKey: 'deal-1',
  failedAt: '2026-01-31T11:59:00Z',
};
const action: Full<IncidentActionRequest> = { by: 'Dana' };

const cases: [string, SchemaNode & { safeParse(v: unknown): { success: boolean; error?: unknown } }, object][] = [
  ['claim request (POST /claims)', claimRequestSchema, claim],
  ['settle request (POST /claims/complete, /claims/release)', settleRequestSchema, settle],
  ['event (POST /events)', eventSchema, event],
  ['event batch (POST /events)', eventBatchSchema, batch],
  ['incident report (POST /incidents)', incidentRequestSchema, incident],
  ['incident action (POST /incidents/:id/ack, /resolve)', incidentActionSchema, action],
];

describe.each(cases)('the monitor schema for the %s', (_name, schema, sample) => {
  it('accepts a request with every field the protocol names', () => {
    const parsed = schema.safeParse(sample);
    expect(parsed.error).toBeUndefined();
    expect(parsed.success).toBe(true);
  });

  it('knows no field the protocol does not name', () => {
    const known = new Set(schemaPaths(schema));
    const inSample = new Set(samplePaths(sample, known));
    expect([...known].filter((p) => !inSample.has(p))).toEqual([]);
    expect([...inSample].filter((p) => !known.has(p))).toEqual([]);
  });
});

describe("the monitor's limits are the protocol's", () => {
  it('refuses one item, key, event or character more than the protocol allows, and takes the limit itself', () => {
    const at = (n: number, c = 'k') => c.repeat(n);
    expect(claimRequestSchema.safeParse({ ...claim, items: [{ key: at(LEDGER_LIMITS.maxKeyLength) }] }).success).toBe(true);
    expect(claimRequestSchema.safeParse({ ...claim, items: [{ key: at(LEDGER_LIMITS.maxKeyLength + 1) }] }).success).toBe(false);
    expect(claimRequestSchema.safeParse({ ...claim, handoff: at(MAX_HANDOFF_ID_LENGTH + 1) }).success).toBe(false);
    expect(claimRequestSchema.safeParse({ ...claim, leaseSeconds: LEDGER_LIMITS.maxLeaseSeconds + 1 }).success).toBe(false);
    const events = (n: number) => ({ events: Array.from({ length: n }, () => ({ handoff: 'h', kind: 'validated' })) });
    expect(eventBatchSchema.safeParse(events(EVENT_LIMITS.maxEventsPerRequest)).success).toBe(true);
    expect(eventBatchSchema.safeParse(events(EVENT_LIMITS.maxEventsPerRequest + 1)).success).toBe(false);
    expect(eventSchema.safeParse({ ...event, key: at(LEDGER_LIMITS.maxKeyLength + 1) }).success).toBe(false);
    expect(incidentRequestSchema.safeParse({ ...incident, dedupKey: at(INCIDENT_LIMITS.maxDedupKeyLength + 1) }).success).toBe(false);
    expect(incidentRequestSchema.safeParse({ ...incident, slaSeconds: INCIDENT_LIMITS.maxSlaSeconds + 1 }).success).toBe(false);
    expect(incidentActionSchema.safeParse({ by: at(INCIDENT_LIMITS.maxActorLength + 1) }).success).toBe(false);
  });
});
