/** Stall detection in a real monitor: each stall opens one incident for the owner and shows on handoff_stalled. */
import { CollectorHarness, MINUTE, startCollectorHarness, T0 } from './collector-helpers';
import { sample } from '../support/metrics';

const HOUR = 60 * MINUTE;
const stalled = (text: string, handoff: string, kind: string) => sample(text, `handoff_stalled{handoff="${handoff}",kind="${kind}"}`);

describe('stall detection', () => {
  let h: CollectorHarness;
  beforeEach(async () => {
    h = await startCollectorHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  const incidents = async (handoff = 'kickoff') => (await h.call('GET', `/api/v1/incidents?handoff=${handoff}`)).body.incidents as any[];

  it('(a) a claim past its completion SLA opens one incident for the owner, updated not duplicated', async () => {
    const claim = await h.call('POST', '/api/v1/claims', {
      handoff: 'kickoff',
      execution: { id: '77', workflowId: '101' },
      items: [{ key: 'deal-1' }, { key: 'deal-2' }],
    });
    expect(claim.status).toBe(200);
    await h.call('POST', '/api/v1/claims/complete', { handoff: 'kickoff', keys: ['deal-2'] });

    h.clock.now = T0 + 14 * MINUTE;
    expect((await h.monitor.stalls.tick()).stalls).toEqual([]);

    h.clock.now = T0 + 16 * MINUTE;
    const tick = await h.monitor.stalls.tick();
    expect(tick.stalls.map((s) => [s.kind, s.subject])).toEqual([['claim', 'deal-1']]);
    expect(tick.opened).toBe(1);
    await h.monitor.stalls.tick();

    const list = await incidents();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      kind: 'stalled',
      dedupKey: 'stall:claim:kickoff:deal-1',
      owner: { name: 'Dana Ops', channel: '#delivery-ops' },
      idempotencyKey: 'deal-1',
      execution: { id: '77' },
      count: 1,
    });
    const text = await h.metrics();
    expect(stalled(text, 'kickoff', 'claim')).toBe(1);
    // Kinds that never stalled are not written at all (1,000 handoffs × 4 kinds of zeros would be noise).
    expect(stalled(text, 'kickoff', 'execution')).toBeUndefined();
    // SLA ran out at 15m, found at 16m: 60 s to detection.
    expect(sample(text, 'handoff_time_to_detection_seconds_sum')).toBe(60);
    expect(sample(text, 'handoff_sla_breaches_total{handoff="kickoff"}')).toBe(1);
    expect(sample(text, 'handoff_incidents_open{handoff="kickoff",owner="Dana Ops",severity="high"}')).toBe(1);
    // Never a key as a label.
    expect(text).not.toContain('deal-1');

    await h.call('POST', '/api/v1/claims/release', { handoff: 'kickoff', keys: ['deal-1'] });
    await h.monitor.stalls.tick();
    // Once stalled, the series drops to 0 rather than vanishing.
    expect(stalled(await h.metrics(), 'kickoff', 'claim')).toBe(0);
  });

  it('(b) a run waiting past the review SLA, and a run stuck running past the completion SLA', async () => {
    h.n8n.add({ workflowId: '101', status: 'waiting' });
    h.n8n.add({ workflowId: '202', status: 'running' });
    await h.poll();
    h.clock.now = T0 + 31 * MINUTE;
    const first = await h.monitor.stalls.tick();
    expect(first.stalls.map((s) => [s.handoff, s.kind, s.subject])).toEqual([['invoicing', 'execution', '2']]);
    h.clock.now = T0 + HOUR;
    const second = await h.monitor.stalls.tick();
    expect(second.stalls.map((s) => [s.handoff, s.subject]).sort()).toEqual([
      ['invoicing', '2'],
      ['kickoff', '1'],
    ]);
    expect((await incidents('invoicing'))[0]).toMatchObject({ dedupKey: 'stall:execution:invoicing:2', owner: { name: 'Ivy Finance' } });
    expect((await incidents('kickoff'))[0].title).toMatch(/waited longer than 1h/);
    const text = await h.metrics();
    expect(stalled(text, 'kickoff', 'execution')).toBe(1);
    expect(stalled(text, 'invoicing', 'execution')).toBe(1);
  });

  it('(c) a success whose claim was never completed is a stall; one whose claim completed is not', async () => {
    // The handoff uses the ledger: execution 1 completes its claim, execution 2 does not.
    await h.call('POST', '/api/v1/claims', { handoff: 'kickoff', execution: { id: '1', workflowId: '101' }, items: [{ key: 'a' }] });
    await h.call('POST', '/api/v1/claims/complete', { handoff: 'kickoff', keys: ['a'] });
    await h.call('POST', '/api/v1/claims', { handoff: 'kickoff', execution: { id: '2', workflowId: '101' }, items: [{ key: 'b' }] });
    await h.call('POST', '/api/v1/claims/release', { handoff: 'kickoff', keys: ['b'] });
    h.n8n.add({ workflowId: '101' });
    h.n8n.add({ workflowId: '101' });
    await h.poll();

    h.clock.now = T0 + 10 * MINUTE;
    expect((await h.monitor.stalls.tick()).stalls).toEqual([]);
    h.clock.now = T0 + 20 * MINUTE;
    const tick = await h.monitor.stalls.tick();
    expect(tick.stalls.map((s) => [s.kind, s.subject])).toEqual([['no_outcome', '2']]);
    expect((await incidents())[0]).toMatchObject({ dedupKey: 'stall:no_outcome:kickoff:2', execution: { id: '2', workflowId: '101' } });
    expect(stalled(await h.metrics(), 'kickoff', 'no_outcome')).toBe(1);
  });

  it('(c) a handoff that does not use the ledger never has "success without outcome"', async () => {
    h.n8n.add({ workflowId: '202' });
    await h.poll();
    h.clock.now = T0 + 2 * HOUR;
    expect((await h.monitor.stalls.tick()).stalls.filter((s) => s.kind === 'no_outcome')).toEqual([]);
  });

  it('(d) a handoff with an expected cadence that went quiet', async () => {
    await h.monitor.stalls.tick();
    h.clock.now = T0 + HOUR;
    h.n8n.add({ workflowId: '101' });
    await h.poll();
    h.clock.now = T0 + 2 * HOUR + 59 * MINUTE;
    expect((await h.monitor.stalls.tick()).stalls).toEqual([]);
    h.clock.now = T0 + 3 * HOUR;
    const tick = await h.monitor.stalls.tick();
    expect(tick.stalls.map((s) => [s.handoff, s.kind])).toEqual([['kickoff', 'cadence']]);
    expect((await incidents())[0]).toMatchObject({ dedupKey: 'stall:cadence:kickoff:cadence', kind: 'stalled' });
    expect(stalled(await h.metrics(), 'kickoff', 'cadence')).toBe(1);
    // invoicing has no cadence: never a cadence stall.
    expect(stalled(await h.metrics(), 'invoicing', 'cadence')).toBeUndefined();
  });
});
