/**
 * Talking to a running n8n over HTTP: the owner's REST session (cookie) for what only the editor
 * can do, and the public API (X-N8N-API-KEY) for everything else. No browser involved.
 */

export interface Owner {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
}

export class N8nHttpError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url} -> HTTP ${status}: ${body.slice(0, 800)}`);
    this.name = 'N8nHttpError';
  }
}

async function request(method: string, url: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new N8nHttpError(method, url, res.status, text);
  return { res, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/** The owner's browser-less session: owner setup, login, API keys, node types. */
export class N8nSession {
  private cookie = '';
  constructor(private readonly baseUrl: string) {}

  /** First start only: n8n accepts owner setup once, without authentication. */
  async setupOwner(owner: Owner): Promise<void> {
    await request('POST', `${this.baseUrl}/rest/owner/setup`, {}, owner);
  }

  async login(owner: Pick<Owner, 'email' | 'password'>): Promise<void> {
    const { res } = await request('POST', `${this.baseUrl}/rest/login`, {}, { emailOrLdapLoginId: owner.email, password: owner.password });
    const setCookie = res.headers.getSetCookie().map((c) => c.split(';')[0]);
    if (setCookie.length === 0) throw new Error(`n8n login for ${owner.email} set no cookie`);
    this.cookie = setCookie.join('; ');
  }

  async rest<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const { json } = await request(method, `${this.baseUrl}/rest${path}`, { cookie: this.cookie }, body);
    return (json as { data: T }).data;
  }

  /** An API key with every scope the owner may grant, never expiring (test instances are throwaway). */
  async createApiKey(label: string): Promise<string> {
    const scopes = await this.rest<string[]>('GET', '/api-keys/scopes');
    const created = await this.rest<{ rawApiKey: string }>('POST', '/api-keys', { label, scopes, expiresAt: null });
    return created.rawApiKey;
  }

  /**
   * Every node type n8n loaded, as the editor sees them: /types/nodes.json is what the editor
   * downloads at start-up (needs the session cookie; ~17 MB, hence only names and versions kept).
   */
  async nodeTypes(): Promise<{ name: string; version: number | number[] }[]> {
    const { json } = await request('GET', `${this.baseUrl}/types/nodes.json`, { cookie: this.cookie });
    return (json as { name: string; version: number | number[] }[]).map(({ name, version }) => ({ name, version }));
  }

  async credentialTypes(): Promise<string[]> {
    const { json } = await request('GET', `${this.baseUrl}/types/credentials.json`, { cookie: this.cookie });
    return (json as { name: string }[]).map((c) => c.name);
  }
}

/** The public API, as any script or the monitor's collector would call it. */
export function publicApi(baseUrl: string, apiKey: string) {
  return async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const { json } = await request(method, `${baseUrl}/api/v1${path}`, { 'X-N8N-API-KEY': apiKey }, body);
    return json as T;
  };
}
