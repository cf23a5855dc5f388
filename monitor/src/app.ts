/**
 * Builds the monitor's HTTP app from its dependencies. No listening and no globals here, so tests
 * can build an app around a store of their own (pattern: express-typescript-2024, trigger.dev).
 */
import express from 'express';
import type { Logger } from 'pino';
import type { ContractStore } from './contract/store';
import type { MonitorStore } from './domain/store';
import { requireToken } from './api/auth';
import { errorHandler, notFound } from './api/errors';
import { handoffRoutes } from './api/routes/handoffs';
import { eventRoutes } from './api/routes/events';
import { healthRoutes } from './api/routes/health';
import { incidentRoutes } from './api/routes/incidents';
import { ledgerRoutes } from './api/routes/ledger';
import { metricsRoutes } from './api/routes/metrics';
import type { MonitorMetrics } from './metrics/registry';
import { dashboardRoutes } from './dashboard/routes';
import { queueRoutes } from './api/routes/queue';
import { rejectBadQuery } from './api/validate';
import { createWriteHealth } from './store/writable';
import type { ReplayService } from './replay/service';
import type { AuditSource } from './audit/source';
import type { TrustProxy } from './config/trust-proxy';
import { API_BASE, API_ROUTES } from '../../protocol/paths';

/** What `GET /api/v1` lists, in this order. */
const ENDPOINTS: [string, keyof typeof API_ROUTES][] = [
  ['POST', 'claims'],
  ['POST', 'complete'],
  ['POST', 'release'],
  ['GET', 'handoffs'],
  ['POST', 'events'],
  ['POST', 'incidents'],
  ['GET', 'incidents'],
  ['GET', 'incident'],
  ['POST', 'ack'],
  ['POST', 'resolve'],
  ['POST', 'replay'],
  ['GET', 'queue'],
  ['POST', 'replays'],
];

/** 50,000 claims of 512-character keys fit; anything larger is a client bug, refused early. */
const BODY_LIMIT = '32mb';

export interface AppDeps {
  store: MonitorStore;
  contracts: ContractStore;
  token: string;
  defaultLeaseMs: number;
  logger: Logger;
  now?: () => number;
  /** Wakes the alert outbox worker when an incident change queued an alert. */
  onAlertQueued?: () => void;
  /** Serves GET /metrics when given. */
  metrics?: MonitorMetrics;
  /** HANDOFF_METRICS_PUBLIC: /metrics without the token (trusted network only). */
  metricsPublic?: boolean;
  /** HANDOFF_DASHBOARD_PUBLIC: the dashboard's read-only pages without signing in (trusted network only). */
  dashboardPublic?: boolean;
  /** n8n's address, for execution links on incidents that stored only ids. */
  n8nBaseUrl?: string;
  /** Told after every state-changing request finished: the outcome fold runs soon after writes. */
  onWrite?: () => void;
  /** Replays from the exception queue (routes/replay.ts); without it the replay endpoints answer 503. */
  replays?: ReplayService;
  /** Folds the trace into the outcomes now (the queue's read-your-writes). */
  flushOutcomes?: () => Promise<unknown>;
  /** The audit of n8n's workflows for /audit and the map; without it /audit says how to turn it on. */
  audit?: AuditSource;
  /** HANDOFF_TRUST_PROXY: the reverse proxy whose X-Forwarded-Proto/Host are believed (express's `trust proxy`). */
  trustProxy?: TrustProxy;
}

export function createApp(deps: AppDeps): express.Express {
  const now = deps.now ?? Date.now;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Behind a trusted proxy req.protocol, req.host and req.secure are what the browser used: the
  // dashboard's origin check and its Secure cookie depend on that.
  app.set('trust proxy', deps.trustProxy ?? false);
  const writes = createWriteHealth();
  app.use((req, res, next) => {
    // An API write that went through ends a spell of refused writes (see /readyz).
    if (req.method === 'POST' && req.path.startsWith('/api/')) res.once('finish', () => res.statusCode < 300 && writes.succeeded());
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    if (deps.onWrite && req.method !== 'GET' && req.method !== 'HEAD') res.once('finish', deps.onWrite);
    next();
  });

  app.use(rejectBadQuery);
  app.use(healthRoutes({ store: deps.store, contracts: deps.contracts, now: deps.now, writes }));
  if (deps.metrics) app.use(metricsRoutes({ metrics: deps.metrics, token: deps.token, public: deps.metricsPublic ?? false }));

  const api = express.Router();
  api.use(requireToken(deps.token));
  api.use(express.json({ limit: BODY_LIMIT }));
  api.get('/', (_req, res) => {
    res.json({
      endpoints: ENDPOINTS.map(([method, route]) => `${method} ${API_BASE}${API_ROUTES[route]}`),
    });
  });
  api.use(handoffRoutes(deps.contracts));
  api.use(ledgerRoutes({ ledger: deps.store.ledger, contracts: deps.contracts, defaultLeaseMs: deps.defaultLeaseMs, now }));
  api.use(eventRoutes({ events: deps.store.events, contracts: deps.contracts, now }));
  api.use(incidentRoutes({ incidents: deps.store.incidents, contracts: deps.contracts, now, onAlertQueued: deps.onAlertQueued }));
  api.use(
    queueRoutes({
      outcomes: deps.store.outcomes,
      incidents: deps.store.incidents,
      replays: deps.replays,
      flush: deps.flushOutcomes,
      ownerOf: (id) => deps.contracts.handoff(id)?.owner,
    }),
  );
  app.use(API_BASE, api);

  // The dashboard (GET /, /incidents, /map, /monday): HTML pages with their own sign-in and CSRF checks.
  app.use(
    dashboardRoutes({
      store: deps.store,
      contracts: deps.contracts,
      token: deps.token,
      public: deps.dashboardPublic ?? false,
      now,
      n8nBaseUrl: deps.n8nBaseUrl,
      onAlertQueued: deps.onAlertQueued,
      replays: deps.replays,
      flushOutcomes: deps.flushOutcomes,
      audit: deps.audit,
      trustProxy: deps.trustProxy,
    }),
  );

  app.use(notFound);
  app.use(errorHandler(deps.logger, writes));
  return app;
}
