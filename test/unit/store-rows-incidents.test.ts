/** The incidents row mapping both stores share (monitor/src/store/rows/incidents.ts). */
import {
  fromIncidentRow,
  INCIDENT_COLUMNS,
  type IncidentRow,
  type StoredIncident,
  toIncidentParams,
} from '../../monitor/src/store/rows/incidents';

const T0 = Date.parse('2026-11-30T09:00:00Z');
const JSON_COLUMNS = new Set(['owner', 'escalated_to', 'error', 'context', 'execution', 'also_reported']);

const record: StoredIncident = {
  id: 7,
  handoff: 'kickoff',
  dedupKey: 'kickoff:request_failed:deal-42',
  kind: 'request_failed',
  title: 'Task board down',
  severity: 'high',
  state: 'acknowledged',
  owner: { name: 'Dana Ops', channel: '#delivery-ops' },
  ownerSource: 'handoff',
  slaDueAt: T0 + 3_600_000,
  firstSeenAt: T0,
  lastSeenAt: T0 + 5_000,
  count: 3,
  acknowledgedAt: T0 + 6_000,
  resolvedAt: null,
  escalatedAt: T0 + 7_000,
  escalatedTo: { name: 'Sam Lead' },
  error: { message: 'Task board 503', httpCode: 503 },
  context: { client: 'Acme', rows: [1, 2, { nested: true }] },
  execution: { id: '501', workflowId: '101' },
  idempotencyKey: 'deal-42',
  resolution: null,
  acknowledgedBy: 'Dana Ops',
  resolvedBy: null,
  alsoReported: [
    {
      dedupKey: 'kickoff:reconcile_missing:deal-42',
      kind: 'reconcile_missing',
      workflowName: 'Nightly reconcile',
      execution: { id: '900', workflowId: '300', workflowName: 'Nightly reconcile' },
      firstSeenAt: T0 + 4_000,
      lastSeenAt: T0 + 5_000,
      count: 2,
    },
  ],
};

/** The row a store reads back after writing toIncidentParams: JSON columns as text (SQLite) or parsed (Postgres). */
function stored(r: StoredIncident, json: 'text' | 'parsed'): IncidentRow {
  const params = toIncidentParams(r);
  const row: Record<string, unknown> = { id: r.id };
  INCIDENT_COLUMNS.forEach((c, i) => {
    row[c] = json === 'parsed' && JSON_COLUMNS.has(c) && params[i] !== null ? JSON.parse(params[i] as string) : params[i];
  });
  return row as unknown as IncidentRow;
}

describe('incident rows', () => {
  it('writes every column once, JSON as text, with the owner copied out for the ?owner= filter', () => {
    expect(INCIDENT_COLUMNS.length).toBe(new Set(INCIDENT_COLUMNS).size);
    const params = toIncidentParams(record);
    expect(params.length).toBe(INCIDENT_COLUMNS.length);
    const at = (c: (typeof INCIDENT_COLUMNS)[number]) => params[INCIDENT_COLUMNS.indexOf(c)];
    expect(at('owner')).toBe('{"name":"Dana Ops","channel":"#delivery-ops"}');
    expect([at('owner_name'), at('owner_channel')]).toEqual(['Dana Ops', '#delivery-ops']);
    expect(at('context')).toBe(JSON.stringify(record.context));
    expect(at('resolved_at')).toBeNull();
    expect(JSON.parse(at('also_reported') as string)).toEqual(record.alsoReported);
    // Never joined: NULL, not '[]', and NULL reads back as an empty list.
    expect(toIncidentParams({ ...record, alsoReported: [] })[INCIDENT_COLUMNS.indexOf('also_reported')]).toBeNull();
    expect(toIncidentParams({ ...record, owner: { name: 'Solo' } })[INCIDENT_COLUMNS.indexOf('owner_channel')]).toBeNull();
  });

  it.each(['text', 'parsed'] as const)('reads back what it wrote, with JSON columns as %s', (json) => {
    expect(fromIncidentRow(stored(record, json), json)).toEqual(record);
    const bare: StoredIncident = {
      ...record,
      escalatedTo: null,
      error: null,
      context: null,
      execution: null,
      kind: null,
      idempotencyKey: null,
      alsoReported: [],
    };
    expect(fromIncidentRow(stored(bare, json), json)).toEqual(bare);
  });
});
