/**
 * The one service that opens incidents (monitor/src/incidents/open.ts), used alike by the API
 * (POST /api/v1/incidents) and the monitor's detectors (stalls/report-incident.ts): owner and SLA from
 * the contract unless the reporter names them, a more specific route first, dedup, redaction before the
 * store, and the outbox woken when an alert was queued. On a real SQLite store.
 */
import { parseContract } from '../../monitor/src/contract/load';
import type { ContractStore } from '../../monitor/src/contract/store';
import { createIncidentOpener, type IncidentOpener } from '../../monitor/src/incidents/open';
import { openTestStore, type OpenedStore } from '../support/open-store';

const T0 = Date.parse('2026-02-02T09:00:00Z');
const contract = parseContract(`
systems:
  crm: { name: CRM }
  taskboard: { name: Task board }
handoffs:
  - id: kickoff
    source: crm
    targets: [taskboard]
    owner: { name: Dana Ops, channel: "#delivery-ops" }
    exceptionSla: 2h
    routes:
      - match: invalid
        to: { name: Sam Sales, channel: "#sales-ops" }
      - match: review_stalled
        to: { name: Rita Review }
`);
const contracts = {
  current: () => contract,
  handoff: (id: string) => contract.handoffs.find((h) => h.id === id),
  file: 'handoffs.yaml',
} as unknown as ContractStore;

let s: OpenedStore;
let woken: number;
let open: IncidentOpener;
beforeEach(async () => {
  s = await openTestStore('sqlite');
  woken = 0;
  open = createIncidentOpener({ incidents: s.store.incidents, contracts, now: () => T0, onAlertQueued: () => void woken++ });
});
afterEach(() => s.close());

const HOUR = 3_600_000;

it("opens with the contract's owner and SLA, severity high, wakes the outbox once, and counts a repeat", async () => {
  const first = await open({ handoff: 'kickoff', dedupKey: 'kickoff:deal-1', title: 'Task board answered 500', kind: 'request_failed' });
  expect(first).toMatchObject({ deduplicated: false, at: T0 });
  expect(first.incident).toMatchObject({ owner: { name: 'Dana Ops' }, ownerSource: 'handoff', severity: 'high', state: 'open', count: 1 });
  expect(Date.parse(first.incident.slaDueAt)).toBe(T0 + 2 * HOUR);
  expect(woken).toBe(1);

  const again = await open({ handoff: 'kickoff', dedupKey: 'kickoff:deal-1', title: 'Task board answered 500', kind: 'request_failed' });
  expect(again).toMatchObject({ deduplicated: true, incident: { id: first.incident.id, count: 2 } });
  expect(woken).toBe(1);
});

it('routes by kind, tries a more specific route first and keeps the kind', async () => {
  const invalid = await open({ handoff: 'kickoff', dedupKey: 'a', title: 'Missing deal id', kind: 'invalid' });
  expect(invalid.incident).toMatchObject({ owner: { name: 'Sam Sales' }, ownerSource: 'route', kind: 'invalid' });
  const review = await open({ handoff: 'kickoff', dedupKey: 'b', title: 'Review waits', kind: 'stalled', route: 'review_stalled' });
  expect(review.incident).toMatchObject({ owner: { name: 'Rita Review' }, ownerSource: 'route', kind: 'stalled' });
  const unrouted = await open({ handoff: 'kickoff', dedupKey: 'c', title: 'Stalled', kind: 'stalled', route: 'no_such_route' });
  expect(unrouted.incident).toMatchObject({ owner: { name: 'Dana Ops' }, ownerSource: 'handoff' });
});

it("takes the reporter's owner, SLA and severity over the contract's", async () => {
  const { incident } = await open({
    handoff: 'kickoff',
    dedupKey: 'd',
    title: 'Broken',
    kind: 'invalid',
    owner: { name: 'Ola Node' },
    slaSeconds: 600,
    severity: 'low',
  });
  expect(incident).toMatchObject({ owner: { name: 'Ola Node' }, ownerSource: 'request', severity: 'low' });
  expect(Date.parse(incident.slaDueAt)).toBe(T0 + 600_000);
});

it('redacts before the store sees it and cuts the title', async () => {
  const secret = 'sk_live_0123456789abcdefghijklmn';
  const { incident } = await open({
    handoff: 'kickoff',
    dedupKey: `kickoff:${secret}`,
    title: `Bearer ${secret} ${'x'.repeat(400)}`,
    kind: 'request_failed',
    error: { message: `401 with token ${secret}` },
    context: { apiKey: 'hunter2', dealId: 'deal-1' },
    execution: { id: '812', url: `https://n8n.example/run?token=${secret}` },
  });
  const stored = JSON.stringify(await s.store.incidents.get(incident.id));
  expect(stored).not.toContain(secret);
  expect(stored).not.toContain('hunter2');
  expect(stored).toContain('deal-1');
  expect(incident.title.length).toBeLessThanOrEqual(300);
});
