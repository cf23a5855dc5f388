/**
 * End to end through the outbox: an incident whose error is an HTML page of 9,000 characters reaches
 * the Slack webhook as a body Block Kit accepts (no section over 3,000 characters, at most 50 blocks),
 * pointing at the incident's page on the dashboard named by HANDOFF_DASHBOARD_URL.
 */
import { Harness, report, Sink, startHarness, startSink } from './incidents-helpers';

const HTML_PAGE = `<!doctype html><html><body>${'<div class="x">Bad gateway</div>\n'.repeat(300)}</body></html>`;

let h: Harness;
let sink: Sink;
afterEach(async () => {
  await h?.stop();
  await sink?.close();
});

it('delivers a long error within the limits, linking the incident page', async () => {
  sink = await startSink();
  h = await startHarness({ env: { HANDOFF_ALERT_WEBHOOK_URL: sink.url, HANDOFF_DASHBOARD_URL: 'https://monitor.example.test/' } });
  const opened = await h.call('POST', '/api/v1/incidents', report({ error: { message: HTML_PAGE } }));
  expect(HTML_PAGE.length).toBeGreaterThan(9_000);
  expect(await h.monitor.alerts.flush()).toBe(1);

  const body = sink.requests[0].body as { text: string; blocks: { type: string; text: { text: string } }[] };
  expect(body.blocks.length).toBeLessThanOrEqual(50);
  for (const block of body.blocks) expect(block.text.text.length).toBeLessThanOrEqual(3_000);
  expect(body.text.length).toBeLessThanOrEqual(3_000);
  expect(body.blocks[1].text.text).toContain(`https://monitor.example.test/incidents/${opened.body.incident.id}`);
});
