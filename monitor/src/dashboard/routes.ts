/**
 * The failed-sync dashboard: overview, incidents (+ detail, ack, resolve), map and the Monday check,
 * rendered on the server from the same report builders `handoff-monitor report monday` uses.
 */
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { ContractStore } from '../contract/store';
import { actorName } from '../incidents/actor';
import type { IncidentAction } from '../domain/incidents';
import { loadReportData } from '../report/data';
import { entryForIncident } from '../api/routes/queue';
import { findBadText } from '../api/text';
import { buildMonday } from '../report/monday';
import { buildOverview } from '../report/overview';
import type { MonitorStore } from '../domain/store';
import { accessOf, crossSite, type Access } from './access';
import type { TrustProxy } from '../config/trust-proxy';
import { DASHBOARD_CSS, DASHBOARD_JS } from './assets';
import { html, type Html } from './html';
import { createSessions, readCookie, SESSION_COOKIE, SESSION_TTL_MS, sessionCookie } from './session';
import { incidentView } from './views/incident';
import { incidentsView, type IncidentQuery } from './views/incidents';
import { page, type PageContext, type Section } from './views/layout';
import { loginView } from './views/login';
import { mapView } from './views/map';
import { mondayView } from './views/monday';
import { overviewView } from './views/overview';
import { tokenMatches } from '../api/auth';
import type { ReplayService } from '../replay/service';
import { queueView, type QueueQuery } from './views/queue';
import type { AuditSource } from '../audit/source';
import { auditView, mapAuditOf } from './views/audit';

/** No inline script or style anywhere: the pages load /assets/dashboard.{css,js} and nothing else. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');
const INCIDENT_LIST_LIMIT = 200;
const QUEUE_LIMIT = 500;
const STATES = new Set(['open', 'acknowledged', 'resolved', 'unresolved']);

export interface DashboardDeps {
  store: MonitorStore;
  contracts: ContractStore;
  token: string;
  /** HANDOFF_DASHBOARD_PUBLIC: read-only pages without signing in (trusted network only). */
  public: boolean;
  now: () => number;
  /** For execution links when an incident stored only ids. */
  n8nBaseUrl?: string;
  onAlertQueued?: () => void;
  /** Replay from the queue and from an incident; without it the Replay buttons answer 503. */
  replays?: ReplayService;
  flushOutcomes?: () => Promise<unknown>;
  /** The audit of n8n's workflows (/audit, and what the map draws apart); without it /audit says how to turn it on. */
  audit?: AuditSource;
  /** HANDOFF_TRUST_PROXY, for the refusal that says to set it. */
  trustProxy?: TrustProxy;
}

/** Only a path on this site: `//evil.example` and `https://…` would turn sign-in into an open redirect. */
const localPath = (raw: unknown, fallback = '/') =>
  typeof raw === 'string' && /^\/(?![/\\])[^\s]*$/.test(raw) && raw.length < 500 ? raw : fallback;

export function dashboardRoutes(deps: DashboardDeps): Router {
  const router = Router();
  const sessions = createSessions(deps.store.sessions, deps.now);
  const formParser = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });
  const access = (req: Request) => accessOf(req, { token: deps.token, sessions, public: deps.public });
  const ctxOf = (a: Access): PageContext => ({ canAct: a.canAct, csrf: a.session?.csrf, session: Boolean(a.session) });

  const send = (res: Response, status: number, title: string, section: Section, a: Access, body: Html, started: number) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Server-Timing', `render;dur=${(performance.now() - started).toFixed(1)}`);
    res
      .status(status)
      .type('html')
      .send(page(title, section, ctxOf(a), body).value);
  };
  const problem = (res: Response, status: number, message: string, a: Access) =>
    send(
      res,
      status,
      'Not allowed',
      'overview',
      a,
      html`<h1>${status === 404 ? 'Not found' : 'Not allowed'}</h1><p class="flash bad">${message}</p>`,
      performance.now(),
    );

  /** Form fields reach the store (a replay's key): the API's text rule applies to them too. */
  const form: RequestHandler = (req, res, next) =>
    formParser(req, res, (err?: unknown) => {
      if (err) return next(err);
      const bad = findBadText(req.body);
      if (!bad) return next();
      access(req).then((a) => problem(res, 400, `The form's field ${bad.path} ${bad.message}.`, a), next);
    });

  /** Read-only pages: signed in, or public on a trusted network; otherwise to the sign-in page. */
  const view =
    (section: Section, title: string, render: (req: Request, a: Access) => Promise<{ body: Html; status?: number }>) =>
    async (req: Request, res: Response) => {
      const started = performance.now();
      const a = await access(req);
      if (!a.canView) {
        res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      // Every page shows the outcomes of everything written before it was asked for.
      await deps.flushOutcomes?.();
      const { body, status } = await render(req, a);
      send(res, status ?? 200, title, section, a, body, started);
    };

  router.get('/assets/dashboard.css', (_req, res) => {
    res.type('text/css').setHeader('Cache-Control', 'public, max-age=300').send(DASHBOARD_CSS);
  });
  router.get('/assets/dashboard.js', (_req, res) => {
    res.type('text/javascript').setHeader('Cache-Control', 'public, max-age=300').send(DASHBOARD_JS);
  });

  // Browsers ask for it on every first visit; an empty answer keeps their consoles clean.
  router.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });

  router.get(
    '/',
    view('overview', 'Overview', async () => {
      const data = await loadReportData(deps.store, deps.contracts.current(), deps.now());
      return { body: overviewView(buildOverview(data)) };
    }),
  );

  router.get(
    '/incidents',
    view('incidents', 'Incidents', async (req, a) => {
      const q = req.query;
      const pick = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined);
      const state = pick(q.state);
      const query: IncidentQuery = {
        handoff: pick(q.handoff),
        owner: pick(q.owner),
        state: state && STATES.has(state) ? (state as IncidentQuery['state']) : undefined,
      };
      const contract = deps.contracts.current();
      const incidents = await deps.store.incidents.list({ ...query, limit: INCIDENT_LIST_LIMIT });
      // Owners to filter by: the contract's people plus whoever incidents were routed to.
      const owners = [
        ...new Set([
          ...contract.handoffs.flatMap((h) => [h.owner.name, ...h.routes.map((r) => (typeof r.to === 'object' ? r.to.name : ''))]),
          ...incidents.map((i) => i.owner.name),
        ]),
      ]
        .filter(Boolean)
        .sort();
      return {
        body: incidentsView({
          incidents,
          query,
          contract,
          owners,
          now: deps.now(),
          ctx: ctxOf(a),
          back: localPath(req.originalUrl, '/incidents'),
          flash: pick(q.done) && `Incident ${pick(q.done)}.`,
        }),
      };
    }),
  );

  router.get(
    '/incidents/:id',
    view('incidents', 'Incident', async (req, a) => {
      const id = Number(req.params.id);
      const incident = Number.isSafeInteger(id) && id > 0 ? await deps.store.incidents.get(id) : undefined;
      if (!incident)
        return {
          status: 404,
          body: html`<h1>Not found</h1><p class="empty">No incident ${String(req.params.id)}. <a href="/incidents">All incidents</a></p>`,
        };
      const raw = typeof req.query.done === 'string' ? req.query.done : undefined;
      // Replay results are whole sentences; ack/resolve send "12 resolved".
      const done = raw === undefined ? undefined : /^\d+ \w+$/.test(raw) ? `Incident ${raw.slice(0, 40)}.` : raw.slice(0, 200);
      const deadAlerts = await deps.store.incidents.outbox.dead({ incidentId: incident.id, limit: 10 });
      return {
        body: incidentView({
          incident,
          contract: deps.contracts.current(),
          now: deps.now(),
          ctx: ctxOf(a),
          n8nBaseUrl: deps.n8nBaseUrl,
          flash: done,
          deadAlerts,
        }),
      };
    }),
  );

  router.get(
    '/queue',
    view('queue', 'Exception queue', async (req, a) => {
      const pick = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined);
      const query: QueueQuery = { handoff: pick(req.query.handoff), kind: pick(req.query.kind) };
      const entries = await deps.store.outcomes.queue({ ...query, limit: QUEUE_LIMIT });
      const flash = pick(req.query.done);
      return {
        body: queueView({
          entries,
          query,
          contract: deps.contracts.current(),
          now: deps.now(),
          ctx: ctxOf(a),
          back: localPath(req.originalUrl, '/queue'),
          flash,
          flashBad: req.query.bad === '1',
        }),
      };
    }),
  );

  /**
   * A state change from a form: same-site, signed in, and the page's CSRF token (or a bearer token).
   * A session rides along with any request the browser makes, so it must also show the page's CSRF token.
   */
  const actor = async (req: Request, res: Response, what: string): Promise<Access | undefined> => {
    const a = await access(req);
    const refused = crossSite(req, { what, trustProxy: deps.trustProxy });
    if (refused) return void problem(res, 403, refused, a);
    if (!a.canAct) return void problem(res, 401, `Sign in with the monitor token to ${what}.`, a);
    if (!a.bearer && !(a.session && tokenMatches(a.session.csrf, typeof req.body?.csrf === 'string' ? req.body.csrf : undefined))) {
      return void problem(res, 403, 'The form is out of date or did not come from this dashboard; reload the page and try again.', a);
    }
    return a;
  };
  /** Who acts: the name given at sign-in (or, for a script with the bearer token, a `by` field). */
  const actingName = (a: Access, req: Request) =>
    actorName(a.session?.name ?? (typeof req.body?.by === 'string' ? req.body.by : undefined));
  const backWith = (res: Response, back: string, message: string, bad: boolean) =>
    res.redirect(303, `${back}${back.includes('?') ? '&' : '?'}done=${encodeURIComponent(message.slice(0, 180))}${bad ? '&bad=1' : ''}`);

  router.post('/queue/replay', form, async (req, res) => {
    const a = await actor(req, res, 'replay');
    if (!a) return;
    if (!deps.replays) return problem(res, 503, 'Replay is not available in this monitor.', a);
    const field = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 512 ? v : undefined);
    const handoff = field(req.body?.handoff);
    const key = field(req.body?.key);
    const kind = field(req.body?.kind);
    const back = localPath(req.body?.back, '/queue');
    if (!handoff) return problem(res, 400, 'The replay form named no handoff; reload the queue and try again.', a);
    await deps.flushOutcomes?.();
    if (key) {
      const [entry] = await deps.store.outcomes.queue({ handoff, keys: [key], limit: 1 });
      if (!entry) return backWith(res, back, `${key} is no longer in the queue (completed or closed meanwhile): nothing to replay`, true);
      const r = await deps.replays.replayOne(entry, { by: actingName(a, req), via: 'dashboard' });
      return backWith(res, back, `Replay of ${key}: ${r.outcome.replace('_', ' ')} — ${r.message}`, r.outcome !== 'recovered');
    }
    if (!kind) return problem(res, 400, 'Replay all needs a handoff and a failure kind; filter the queue by both first.', a);
    const run = await deps.replays.replayAll({ handoff, kind }, { who: { by: actingName(a, req), via: 'dashboard' } });
    const recovered = run.results.filter((r) => r.outcome === 'recovered').length;
    const summary = `Replay all: ${recovered} of ${run.results.length} recovered${run.stopped ? `; stopped at ${run.stopped.key}: ${run.stopped.reason}` : ''}`;
    return backWith(res, back, summary, recovered !== run.results.length);
  });

  router.post('/incidents/:id/replay', form, async (req, res) => {
    const a = await actor(req, res, 'replay');
    if (!a) return;
    if (!deps.replays) return problem(res, 503, 'Replay is not available in this monitor.', a);
    const id = Number(req.params.id);
    const incident = Number.isSafeInteger(id) && id > 0 ? await deps.store.incidents.get(id) : undefined;
    if (!incident) return problem(res, 404, `No incident ${String(req.params.id)}.`, a);
    const back = localPath(req.body?.back, `/incidents/${id}`);
    await deps.flushOutcomes?.();
    let entry;
    try {
      entry = await entryForIncident(deps.store.outcomes, incident);
    } catch (err) {
      return backWith(res, back, (err as Error).message, true);
    }
    const r = await deps.replays.replayOne(entry, { by: actingName(a, req), via: 'dashboard' });
    return backWith(res, back, `Replay of ${entry.key}: ${r.outcome.replace('_', ' ')} — ${r.message}`, r.outcome !== 'recovered');
  });

  router.get(
    '/map',
    view('map', 'Map', async () => {
      const data = await loadReportData(deps.store, deps.contracts.current(), deps.now());
      const overview = buildOverview(data);
      // The map waits briefly for the audit: a slow n8n must not hold the page, it only leaves the overlay out.
      const audit = mapAuditOf(await deps.audit?.current({ waitMs: 2_000 }));
      return { body: mapView(data.contract, new Map(overview.rows.map((r) => [r.id, r.health])), audit) };
    }),
  );

  router.get(
    '/audit',
    view('audit', 'Audit', async () => ({ body: auditView(await deps.audit?.current(), { n8nBaseUrl: deps.n8nBaseUrl }) })),
  );

  router.get(
    '/monday',
    view('monday', 'Monday check', async () => {
      const data = await loadReportData(deps.store, deps.contracts.current(), deps.now(), { withMonday: true });
      return { body: mondayView(buildMonday(data, buildOverview(data))) };
    }),
  );

  for (const action of ['ack', 'resolve'] as IncidentAction[]) {
    router.post(`/incidents/:id/${action}`, form, async (req, res) => {
      const a = await actor(req, res, 'acknowledge or resolve incidents');
      if (!a) return;
      const id = Number(req.params.id);
      const by = actingName(a, req);
      const result =
        Number.isSafeInteger(id) && id > 0 ? await deps.store.incidents.transition(id, action, deps.now(), by) : { found: false as const };
      if (!result.found) return problem(res, 404, `No incident ${String(req.params.id)}.`, a);
      if (!result.ok) return problem(res, 409, `Incident ${id} ${result.problem}.`, a);
      const back = localPath(req.body?.back, `/incidents/${id}`);
      const done = `${id} ${action === 'ack' ? 'acknowledged' : 'resolved'}`;
      res.redirect(303, `${back}${back.includes('?') ? '&' : '?'}done=${encodeURIComponent(done)}`);
    });
  }

  router.get('/login', async (req, res) => {
    const a = await access(req);
    send(res, 200, 'Sign in', 'login', a, loginView({ next: localPath(req.query.next) }), performance.now());
  });
  router.post('/login', form, async (req, res) => {
    const a = await access(req);
    const refused = crossSite(req, { what: 'sign in', trustProxy: deps.trustProxy });
    if (refused) return problem(res, 403, refused, a);
    const next = localPath(req.body?.next);
    const presented = typeof req.body?.token === 'string' ? req.body.token : undefined;
    const name = actorName(typeof req.body?.name === 'string' ? req.body.name : undefined);
    if (!tokenMatches(deps.token, presented)) {
      return send(
        res,
        401,
        'Sign in',
        'login',
        a,
        loginView({ next, name, error: 'That is not the monitor token (HANDOFF_MONITOR_TOKEN).' }),
        performance.now(),
      );
    }
    await sessions.destroy(a.session?.id);
    const session = await sessions.create({ name });
    res.setHeader('Set-Cookie', sessionCookie(session.id, { secure: req.secure, maxAgeSeconds: SESSION_TTL_MS / 1000 }));
    res.redirect(303, next);
  });
  router.post('/logout', form, async (req, res) => {
    const a = await access(req);
    const refused = crossSite(req, { what: 'sign out', trustProxy: deps.trustProxy });
    if (refused) return problem(res, 403, refused, a);
    if (a.session && tokenMatches(a.session.csrf, typeof req.body?.csrf === 'string' ? req.body.csrf : undefined)) {
      await sessions.destroy(readCookie(req.headers.cookie, SESSION_COOKIE));
    }
    res.setHeader('Set-Cookie', sessionCookie('', { secure: req.secure, maxAgeSeconds: 0 }));
    res.redirect(303, '/login');
  });

  return router;
}
