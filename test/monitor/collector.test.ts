/** The collector against the fake n8n: paging, hidden running runs, gaps, outages, bursts, tags. */
import { waitFor } from '../support/wait';
import { CollectorHarness, MINUTE, startCollectorHarness, T0 } from './collector-helpers';
import { sample } from '../support/metrics';

const executionsTotal = (text: string, handoff: string, status: string) =>
  sample(text, `handoff_executions_total{handoff="${handoff}",status="${status}"}`) ?? 0;

describe('collector', () => {
  let h: CollectorHarness;
  afterEach(async () => {
    await h?.stop();
  });

  it('reads every page newest first, stores only handoff runs, and stops at the watermark on the next poll', async () => {
    h = await startCollectorHarness();
    h.n8n.burst(600, (i) => ({ workflowId: ['101', '202', '999'][i % 3], status: i % 10 === 0 ? 'error' : 'success' }));
    const first = await h.poll();
    expect(first.read).toBe(600);
    expect(first.stored).toBe(400);
    expect(h.n8n.requests.filter((r) => r.startsWith('/api/v1/executions?')).length).toBeGreaterThanOrEqual(3);
    expect(h.n8n.requests.every((r) => !r.startsWith('/api/v1/executions?') || r.includes('limit=250'))).toBe(true);

    h.n8n.requests.length = 0;
    h.n8n.add({ workflowId: '101' });
    const second = await h.poll();
    expect(second.read).toBe(1);
    // One page down to the watermark, plus the running and waiting lists.
    expect(h.n8n.requests.filter((r) => r.startsWith('/api/v1/executions?')).length).toBe(3);

    const text = await h.metrics();
    // i % 3 === 0 → 101, and i % 10 === 0 errors: i in {0,30,60,…} → 20 of 200.
    expect(executionsTotal(text, 'kickoff', 'success')).toBe(181);
    expect(executionsTotal(text, 'kickoff', 'error')).toBe(20);
    expect(executionsTotal(text, 'invoicing', 'success') + executionsTotal(text, 'invoicing', 'error')).toBe(200);
    expect(text).not.toContain('handoff="999"');
  });

  it('sees running runs only through status=running, tracks them, and counts them once when they finish', async () => {
    h = await startCollectorHarness();
    const running = h.n8n.add({ workflowId: '101', status: 'running' });
    h.n8n.add({ workflowId: '101', status: 'success' });
    await h.poll();
    expect((await h.monitor.store.executions.get(running.id))?.status).toBe('running');
    expect(executionsTotal(await h.metrics(), 'kickoff', 'success')).toBe(1);

    h.clock.now = T0 + MINUTE;
    h.n8n.update(running.id, { status: 'success', stoppedAt: new Date(h.clock.now).toISOString() });
    await h.poll();
    await h.poll();
    expect((await h.monitor.store.executions.get(running.id))?.status).toBe('success');
    expect(executionsTotal(await h.metrics(), 'kickoff', 'success')).toBe(2);
  });

  it('finds a run that finished between the listing and the status=running query (the gap check)', async () => {
    h = await startCollectorHarness();
    h.n8n.add({ workflowId: '101' });
    await h.poll();
    const racer = h.n8n.add({ workflowId: '101', status: 'running' });
    h.n8n.add({ workflowId: '202' });
    // Finishes after the plain listing was answered, before the running list is asked for.
    h.n8n.onRequest = (path) => {
      if (path.includes('status=running')) h.n8n.update(racer.id, { status: 'error', stoppedAt: new Date(h.clock.now).toISOString() });
    };
    const summary = await h.poll();
    expect(summary.gaps).toBe(1);
    expect((await h.monitor.store.executions.get(racer.id))?.status).toBe('error');
    expect(executionsTotal(await h.metrics(), 'kickoff', 'error')).toBe(1);
  });

  it('forgets an unfinished run that n8n deleted', async () => {
    h = await startCollectorHarness();
    const waiting = h.n8n.add({ workflowId: '101', status: 'waiting' });
    await h.poll();
    expect(await h.monitor.store.executions.get(waiting.id)).toBeDefined();
    h.n8n.remove(waiting.id);
    await h.poll();
    expect(await h.monitor.store.executions.get(waiting.id)).toBeUndefined();
  });

  it('maps workflows by tag name through GET /workflows', async () => {
    h = await startCollectorHarness();
    h.n8n.setWorkflow('303', ['Kickoff']);
    h.n8n.setWorkflow('404', ['unrelated']);
    h.n8n.add({ workflowId: '303' });
    h.n8n.add({ workflowId: '404' });
    const summary = await h.poll();
    expect(summary.stored).toBe(1);
    expect(executionsTotal(await h.metrics(), 'kickoff', 'success')).toBe(1);
  });

  it('maps the first runs of a tagged workflow imported after the last look at GET /workflows', async () => {
    h = await startCollectorHarness();
    h.n8n.setWorkflow('303', ['Kickoff']);
    h.n8n.add({ workflowId: '303' });
    await h.poll();
    // A new tagged workflow appears and runs within the minute the tag map is normally kept.
    h.clock.now += 5_000;
    h.n8n.setWorkflow('505', ['Kickoff']);
    h.n8n.add({ workflowId: '505' });
    const summary = await h.poll();
    expect(summary.stored).toBe(1);
    expect(executionsTotal(await h.metrics(), 'kickoff', 'success')).toBe(2);
  });

  it('fails a poll while n8n is down, counts the error, and catches up afterwards without gaps or double counts', async () => {
    h = await startCollectorHarness();
    h.n8n.burst(100, () => ({ workflowId: '101' }));
    await h.poll();
    h.n8n.outage('down');
    h.n8n.burst(300, () => ({ workflowId: '101' }));
    await expect(h.poll()).rejects.toThrow(/HTTP 503/);
    h.n8n.outage('reset');
    await expect(h.poll()).rejects.toThrow(/unreachable/);
    let text = await h.metrics();
    expect(sample(text, 'handoff_collector_errors_total')).toBe(2);
    expect(executionsTotal(text, 'kickoff', 'success')).toBe(100);

    h.n8n.outage('up');
    await h.poll();
    await h.poll();
    text = await h.metrics();
    expect(executionsTotal(text, 'kickoff', 'success')).toBe(400);
    expect(sample(text, 'handoff_collector_last_success_timestamp_seconds')).toBe(T0 / 1000);
  });

  it('re-reads the pages of a poll that failed half-way without counting them twice', async () => {
    h = await startCollectorHarness();
    h.n8n.burst(600, () => ({ workflowId: '101' }));
    let cut = false;
    h.n8n.onRequest = (path) => {
      if (!cut && path.includes('cursor=')) {
        cut = true;
        h.n8n.outage('down');
      }
    };
    await expect(h.poll()).rejects.toThrow(/HTTP 503/);
    expect(executionsTotal(await h.metrics(), 'kickoff', 'success')).toBe(250);
    h.n8n.outage('up');
    await h.poll();
    expect(executionsTotal(await h.metrics(), 'kickoff', 'success')).toBe(600);
  });

  it('backs off while n8n is down when running on its own timer, then catches up', async () => {
    h = await startCollectorHarness({ deps: { collectorIntervalMs: 20, collectorBackoff: { minTimeoutMs: 10, maxTimeoutMs: 40 } } });
    h.n8n.outage('down');
    h.n8n.burst(50, () => ({ workflowId: '202', status: 'crashed' }));
    await waitFor('three failed polls', () => h.monitor.collector!.status().errors >= 3);
    h.n8n.outage('up');
    await waitFor('a successful poll', () => h.monitor.collector!.status().lastSuccessAt !== undefined);
    await waitFor('all 50 counted', async () => executionsTotal(await h.metrics(), 'invoicing', 'crashed') === 50);
  });

  it('ingests a burst of 10,000 executions in one poll, each counted once, one request per page and none per successful run', async () => {
    h = await startCollectorHarness();
    const runs = h.n8n.burst(10_000, (i) => ({ workflowId: i % 2 ? '101' : '202', status: i % 100 === 0 ? 'error' : 'success' }));
    const failedIds = runs.filter((r) => r.status === 'error').map((r) => r.id);
    h.n8n.requests.length = 0;
    const started = Date.now();
    const summary = await h.poll();
    const elapsed = Date.now() - started;
    expect(summary.read).toBe(10_000);
    expect(summary.pages).toBeGreaterThanOrEqual(40);
    // What a poll costs n8n, whatever the machine: one request per page of the listings (250 runs
    // each), and a read by id only for the 100 failed runs (their data names the failing node).
    // The ingest rate itself is a benchmark figure (bench/collector.ts, ≥ 5,000/s), not a test's.
    const listings = h.n8n.requests.filter((r) => r.startsWith('/api/v1/executions?'));
    const byId = h.n8n.requests.filter((r) => r.startsWith('/api/v1/executions/'));
    expect(listings).toHaveLength(summary.pages);
    expect([...byId].sort()).toEqual(failedIds.map((id) => `/api/v1/executions/${id}?includeData=true`).sort());
    // Beside them only the tag map (GET /workflows), once.
    expect(h.n8n.requests.filter((r) => !r.startsWith('/api/v1/executions'))).toEqual(['/api/v1/workflows?limit=250']);
    process.stdout.write(`collector: 10,000 executions in one poll, ${summary.pages} pages, ${elapsed} ms\n`);
    await h.poll();
    const text = await h.metrics();
    expect(executionsTotal(text, 'kickoff', 'success')).toBe(5_000);
    expect(executionsTotal(text, 'invoicing', 'success') + executionsTotal(text, 'invoicing', 'error')).toBe(5_000);
    expect(executionsTotal(text, 'invoicing', 'error')).toBe(100);
  });

  it('names the failing node from execution data and opens one incident for the owner per failing workflow', async () => {
    h = await startCollectorHarness();
    const data = {
      runData: {
        Webhook: [{ executionStatus: 'success' }],
        'Create project': [{ executionStatus: 'error', error: { message: 'Task board answered 500' } }],
      },
      lastNodeExecuted: 'Create project',
    };
    h.n8n.add({ workflowId: '101', status: 'error', data });
    h.clock.now = T0 + 3_000;
    await h.poll();
    h.n8n.add({ workflowId: '101', status: 'error', data });
    await h.poll();

    const { body } = await h.call('GET', '/api/v1/incidents?handoff=kickoff');
    expect(body.incidents).toHaveLength(1);
    expect(body.incidents[0]).toMatchObject({
      kind: 'execution_failed',
      owner: { name: 'Dana Ops', channel: '#delivery-ops' },
      count: 2,
      error: { node: 'Create project', message: 'Task board answered 500' },
      execution: { id: '2', workflowId: '101' },
    });
    expect((await h.monitor.store.executions.get('1'))?.failedNode).toBe('Create project');
    // Data was read only for the failed runs.
    expect(h.n8n.requests.filter((r) => r.includes('includeData=true'))).toEqual([
      '/api/v1/executions/1?includeData=true',
      '/api/v1/executions/2?includeData=true',
    ]);
    const text = await h.metrics();
    expect(sample(text, 'handoff_time_to_detection_seconds_count')).toBe(1);
    expect(sample(text, 'handoff_time_to_detection_seconds_bucket{le="5"}')).toBe(1);
    expect(sample(text, 'handoff_time_to_detection_seconds_bucket{le="1"}')).toBe(0);
  });

  it('measures time to recovery from a failed run to the success of its retry, once', async () => {
    h = await startCollectorHarness();
    const failed = h.n8n.add({ workflowId: '202', status: 'error' });
    await h.poll();
    h.clock.now = T0 + 10 * MINUTE;
    const retry = h.n8n.add({ workflowId: '202', status: 'success', mode: 'retry', retryOf: failed.id });
    h.n8n.update(failed.id, { retrySuccessId: retry.id });
    await h.poll();
    h.n8n.requests.length = 0;
    await h.poll();
    const text = await h.metrics();
    expect(sample(text, 'handoff_time_to_recovery_seconds_count')).toBe(1);
    expect(sample(text, 'handoff_time_to_recovery_seconds_sum')).toBe(600);
    expect(sample(text, 'handoff_time_to_recovery_seconds_bucket{le="300"}')).toBe(0);
    expect(sample(text, 'handoff_time_to_recovery_seconds_bucket{le="900"}')).toBe(1);
  });
});
