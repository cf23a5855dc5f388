/** Scrapes that arrive together over HTTP share one store read, on SQLite too (whose reads are synchronous). */
import { CollectorHarness, startCollectorHarness, TOKEN } from './collector-helpers';
import { waitFor } from '../support/wait';

describe('/metrics under concurrent scrapes', () => {
  let h: CollectorHarness;
  afterEach(async () => {
    await h?.stop();
  });

  it('reads the aggregates once for ten scrapes sent at once', async () => {
    h = await startCollectorHarness({ deps: { metricsShareMs: 1_000 } });
    h.n8n.add({ workflowId: '101' });
    await h.poll();
    const snapshot = jest.spyOn(h.monitor.store.aggregates, 'snapshot');
    const texts = await Promise.all(
      Array.from({ length: 10 }, async () =>
        (await fetch(`${h.monitor.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text(),
      ),
    );
    expect(new Set(texts).size).toBe(1);
    expect(texts[0]).toContain('handoff_executions_total{handoff="kickoff",status="success"} 1');
    expect(snapshot.mock.calls.length).toBe(1);
  });

  it('reads them afresh once the sharing window has passed', async () => {
    h = await startCollectorHarness({ deps: { metricsShareMs: 50 } });
    const snapshot = jest.spyOn(h.monitor.store.aggregates, 'snapshot');
    await h.metrics();
    // The window is monotonic real time by design (requests arriving together), not the injected clock.
    const scraped = performance.now();
    await waitFor('the 50 ms sharing window to pass', () => performance.now() - scraped > 60);
    await h.metrics();
    expect(snapshot).toHaveBeenCalledTimes(2);
  });
});
