/**
 * Pending reviews (issue 10) from the store to the pages, on SQLite and on Postgres: runs parked on a
 * review gate (status waiting, handoff with a reviewSla) appear on the overview and in the Monday
 * check with their age; other unfinished runs do not.
 */
import { parseContract } from '../../monitor/src/contract/load';
import { overviewView } from '../../monitor/src/dashboard/views/overview';
import { loadReportData } from '../../monitor/src/report/data';
import { buildMonday } from '../../monitor/src/report/monday';
import { buildOverview } from '../../monitor/src/report/overview';
import type { ExecutionRecord } from '../../monitor/src/domain/store';
import { openTestStore, type OpenedStore } from '../support/open-store';
import { storeKinds } from '../support/stores';

const M = 60_000;
const H = 60 * M;
const NOW = Date.parse('2026-03-02T12:00:00Z');
const contract = parseContract(`
systems: { crm: { name: CRM }, board: { name: Board } }
handoffs:
  - id: kickoff
    name: Kickoff
    source: crm
    targets: [board]
    owner: { name: Dana Ops }
    reviewSla: 24h
    routes: [{ match: review_stalled, to: { name: Lee Lead, channel: "#delivery-leads" } }]
  - id: invoice
    source: crm
    targets: [board]
    owner: { name: Ivy Finance }
`);

const run = (over: Partial<ExecutionRecord>): ExecutionRecord => ({
  id: '1',
  handoff: 'kickoff',
  workflowId: '101',
  status: 'waiting',
  mode: 'webhook',
  startedAt: NOW - H,
  stoppedAt: null,
  waitTill: null,
  retryOf: null,
  retrySuccessId: null,
  ...over,
});

describe.each(storeKinds)('pending reviews on %s', (kind) => {
  let s: OpenedStore;
  beforeEach(async () => {
    s = await openTestStore(kind);
  });
  afterEach(async () => {
    await s.close();
  });

  it('lists runs waiting on a review, oldest first, with age, SLA and reviewer; the overview and the Monday check show them', async () => {
    await s.store.executions.upsert(
      [
        run({ id: '11', startedAt: NOW - 2 * H }),
        run({ id: '12', startedAt: NOW - 30 * H }),
        run({ id: '13', status: 'running', startedAt: NOW - 3 * H }), // stuck, not a review
        run({ id: '14', handoff: 'invoice', startedAt: NOW - 3 * H }), // waiting, but no review gate
        run({ id: '15', status: 'success', startedAt: NOW - 3 * H, stoppedAt: NOW - H }),
      ],
      NOW,
    );
    const data = await loadReportData(s.store, contract, NOW, { withMonday: true });
    expect(data.pendingReviews!.map((r) => [r.executionId, r.ageMs, r.overdue])).toEqual([
      ['12', 30 * H, true],
      ['11', 2 * H, false],
    ]);
    expect(data.pendingReviews![0]).toMatchObject({ handoff: 'kickoff', reviewSlaMs: 24 * H, reviewer: { name: 'Lee Lead' } });

    const overview = buildOverview(data);
    const page = overviewView(overview).toString();
    expect(page).toContain('Pending reviews');
    expect(page).toMatch(/data-execution="12" data-overdue="true"[\s\S]*1d 6h|data-execution="12" data-overdue="true"[\s\S]*30h/);
    expect(page).not.toContain('data-execution="13"');

    const queues = buildMonday(data, overview).items.find((i) => i.id === 'queues')!;
    expect(queues.ok).toBe(false);
    expect(queues.summary).toContain('2 pending reviews (1 past the review SLA)');
    expect(queues.details.filter((d) => d.startsWith('pending review'))).toEqual([
      expect.stringMatching(/^pending review Kickoff, n8n execution 12: waiting .*, overdue\), reviewer Lee Lead \(#delivery-leads\)$/),
      expect.stringMatching(/^pending review Kickoff, n8n execution 11: waiting 2h/),
    ]);
  });

  it('says so when nothing waits; a contract without review gates shows no table', async () => {
    const empty = buildOverview(await loadReportData(s.store, contract, NOW));
    expect(overviewView(empty).toString()).toContain('No run is waiting on a review.');
    const ungated = parseContract('systems: { a: { name: A } }\nhandoffs: [{ id: x, source: a, targets: [a], owner: { name: O } }]');
    expect(overviewView(buildOverview(await loadReportData(s.store, ungated, NOW))).toString()).not.toContain('Pending reviews');
  });
});
