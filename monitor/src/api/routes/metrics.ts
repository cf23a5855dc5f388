/**
 * GET /metrics. Needs the bearer token like the API — Prometheus sends one with
 * `authorization: { credentials_file: … }` (or `bearer_token_file`) in its scrape config — unless
 * HANDOFF_METRICS_PUBLIC=true opens it for scrapers on a trusted network. The text holds handoff
 * ids, owners' names and counts, nothing secret, but it is still the agency's business.
 */
import { Router } from 'express';
import type { MonitorMetrics } from '../../metrics/registry';
import { requireToken } from '../auth';

export function metricsRoutes(deps: { metrics: MonitorMetrics; token: string; public: boolean }): Router {
  const router = Router();
  const guard = deps.public ? [] : [requireToken(deps.token)];
  router.get('/metrics', ...guard, async (_req, res) => {
    const text = await deps.metrics.scrape();
    res.setHeader('Content-Type', deps.metrics.contentType);
    res.send(text);
  });
  return router;
}
