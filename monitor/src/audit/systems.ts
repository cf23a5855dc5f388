/**
 * Naming the system behind an app node or a URL, the way the contract names it when it can:
 *
 * 1. a contract system whose `url` the request URL starts with (host and path prefix);
 * 2. a known API host of an app (api.hubapi.com → HubSpot, app.asana.com → Asana, …);
 * 3. a contract system whose id or name is a label of the host or the URL's first path segment
 *    (crm.agency.example → crm; http://10.0.0.5/taskboard/projects → taskboard);
 * 4. otherwise the host itself (a contract system whose id is the host is that system).
 *
 * An app (from its node or its API host) is the contract's system when the contract has one with
 * the app's id or name (compared without case, spaces or punctuation: "Google Drive" = google-drive).
 * Pure: the registry only collects what it was told.
 */
import type { Contract } from '../contract/schema';
import type { AppEntry } from './apps';
import { APPS } from './apps';
import type { AuditSystem } from './types';

/** Host patterns of app APIs; `path` narrows shared hosts such as www.googleapis.com. */
const API_HOSTS: { host: RegExp; path?: RegExp; app: string }[] = [
  { host: /^api\.hubapi\.com$|^api\.hubspot\.com$/, app: 'hubspot' },
  { host: /(^|\.)pipedrive\.com$/, app: 'pipedrive' },
  { host: /\.salesforce\.com$|\.force\.com$/, app: 'salesforce' },
  { host: /^www\.zohoapis\.(com|eu|in|com\.au)$/, app: 'zoho-crm' },
  { host: /\.api-us1\.com$|\.activehosted\.com$/, app: 'activecampaign' },
  { host: /^app\.asana\.com$/, app: 'asana' },
  { host: /^api\.clickup\.com$/, app: 'clickup' },
  { host: /\.atlassian\.net$/, app: 'jira' },
  { host: /^api\.trello\.com$/, app: 'trello' },
  { host: /^api\.monday\.com$/, app: 'monday' },
  { host: /^api\.todoist\.com$/, app: 'todoist' },
  { host: /^api\.linear\.app$/, app: 'linear' },
  { host: /^www\.googleapis\.com$/, path: /^\/(upload\/)?drive\//, app: 'google-drive' },
  { host: /^www\.googleapis\.com$/, path: /^\/calendar\//, app: 'google-calendar' },
  { host: /^www\.googleapis\.com$/, path: /^\/gmail\//, app: 'gmail' },
  { host: /^gmail\.googleapis\.com$/, app: 'gmail' },
  { host: /^sheets\.googleapis\.com$/, app: 'google-sheets' },
  { host: /^docs\.googleapis\.com$/, app: 'google-docs' },
  { host: /^(api|content)\.dropboxapi\.com$/, app: 'dropbox' },
  { host: /^(api|upload)\.box\.com$/, app: 'box' },
  { host: /^api\.notion\.com$/, app: 'notion' },
  { host: /^api\.airtable\.com$/, app: 'airtable' },
  { host: /^api\.webflow\.com$/, app: 'webflow' },
  { host: /^(hooks\.)?slack\.com$/, app: 'slack' },
  { host: /\.webhook\.office\.com$|^outlook\.office\.com$/, app: 'microsoft-teams' },
  { host: /^(discord|discordapp)\.com$/, app: 'discord' },
  { host: /^api\.telegram\.org$/, app: 'telegram' },
  { host: /^api\.stripe\.com$/, app: 'stripe' },
  { host: /quickbooks\.api\.intuit\.com$/, app: 'quickbooks' },
  { host: /^api\.xero\.com$/, app: 'xero' },
  { host: /\.zendesk\.com$/, app: 'zendesk' },
  { host: /\.freshdesk\.com$/, app: 'freshdesk' },
  { host: /\.myshopify\.com$/, app: 'shopify' },
  { host: /^api\.github\.com$/, app: 'github' },
  { host: /\.api\.mailchimp\.com$/, app: 'mailchimp' },
  { host: /^api\.harvestapp\.com$/, app: 'harvest' },
  { host: /^api\.typeform\.com$/, app: 'typeform' },
  { host: /^api\.calendly\.com$/, app: 'calendly' },
  // WordPress's REST API lives under /wp-json on the site's own host.
  { host: /./, path: /^\/wp-json\//, app: 'wordpress' },
];

const appsById = new Map(APPS.map((a) => [a.id, a]));

export const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The contract system that is this app: same id or name, without case or punctuation. */
export function contractSystemForApp(contract: Contract, app: { id: string; name: string; node?: string }): string | undefined {
  const keys = new Set([norm(app.id), norm(app.name), ...(app.node ? [norm(app.node)] : [])]);
  for (const [id, s] of Object.entries(contract.systems)) {
    if (keys.has(norm(id)) || keys.has(norm(s.name))) return id;
  }
  return undefined;
}

function appForHost(host: string, path: string): AppEntry | undefined {
  const bare = host.replace(/:\d+$/, '');
  for (const h of API_HOSTS) {
    if (h.host.test(bare) && (!h.path || h.path.test(path))) return appsById.get(h.app);
  }
  return undefined;
}

/** A system id the contract accepts, from a host (ports become "-port"). */
export function hostId(host: string): string {
  const id = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 100);
  return id || 'host';
}

export interface SystemRegistry {
  /** The system of an n8n app node (or app trigger). */
  app(app: { id: string; name: string; kind: string; node?: string }): AuditSystem;
  /** The system behind a resolved URL. */
  url(host: string, path: string): AuditSystem;
  /** A pseudo-system for whoever calls a webhook of this n8n. */
  webhook(path: string): AuditSystem;
  /** The n8n itself (a schedule with nothing read first). */
  n8n(): AuditSystem;
  get(id: string): AuditSystem | undefined;
  all(): AuditSystem[];
}

export function createSystemRegistry(contract: Contract): SystemRegistry {
  const systems = new Map<string, AuditSystem>();
  const withUrl = Object.entries(contract.systems)
    .filter(([, s]) => s.url)
    .map(([id, s]) => {
      const u = new URL(s.url!);
      return { id, host: u.host.toLowerCase(), path: u.pathname.replace(/\/+$/, '') };
    })
    .sort((a, b) => b.path.length - a.path.length);

  const remember = (s: AuditSystem, host?: string): AuditSystem => {
    let known = systems.get(s.id);
    if (!known) systems.set(s.id, (known = { ...s, hosts: [] }));
    if (host && !known.hosts.includes(host)) known.hosts.push(host);
    return known;
  };
  const fromContract = (id: string, via: AuditSystem['via'], host?: string) => {
    const c = contract.systems[id];
    return remember({ id, name: c.name, kind: c.kind, contractId: id, via, hosts: [] }, host);
  };
  const fromApp = (app: { id: string; name: string; kind: string; node?: string }, via: AuditSystem['via'], host?: string) => {
    const cid = contractSystemForApp(contract, app);
    if (cid) return fromContract(cid, via, host);
    return remember({ id: app.id, name: app.name, kind: app.kind, via, hosts: [] }, host);
  };

  return {
    app: (app) => fromApp(app, 'app'),
    url(host, path) {
      const lowerPath = path.toLowerCase();
      // 1. The contract's own url, longest path first.
      for (const c of withUrl) {
        if (c.host === host && (c.path === '' || lowerPath === c.path.toLowerCase() || lowerPath.startsWith(`${c.path.toLowerCase()}/`))) {
          return fromContract(c.id, 'contract-url', host);
        }
      }
      // 2. An app's API host.
      const app = appForHost(host, lowerPath);
      if (app) return fromApp(app, 'api-host', host);
      // 3. A contract system named in the host or the first path segment.
      const tokens = new Set(
        [...host.replace(/:\d+$/, '').split('.'), (lowerPath.split('/')[1] ?? '').split(/[?#]/)[0]].map(norm).filter(Boolean),
      );
      for (const [id, s] of Object.entries(contract.systems)) {
        if (tokens.has(norm(id)) || tokens.has(norm(s.name))) return fromContract(id, 'contract-name', host);
      }
      // 4. The host (a contract system drafted from an earlier audit has the host as its id).
      if (contract.systems[hostId(host)]) return fromContract(hostId(host), 'contract-name', host);
      return remember({ id: hostId(host), name: host, kind: 'other', via: 'host', hosts: [] }, host);
    },
    webhook(path) {
      const slug = hostId(path.replace(/^\/+/, '')).replace(/\./g, '-') || 'webhook';
      return remember({
        id: `webhook-${slug}`.slice(0, 100),
        name: `Caller of /webhook/${path.replace(/^\/+/, '')}`,
        kind: 'webhook',
        via: 'webhook',
        hosts: [],
      });
    },
    n8n: () => remember({ id: 'n8n', name: 'n8n', kind: 'automation', via: 'n8n', hosts: [] }),
    get: (id) => systems.get(id),
    all: () => [...systems.values()],
  };
}
