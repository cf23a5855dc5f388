/**
 * One attempt over n8n's HTTP helpers. Every status comes back as a response (the retry rules
 * decide what it means), and every attempt has its own timeout and the execution's cancel signal.
 */
import type { IExecuteFunctions, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { AUTHENTICATION } from '../description';
import type { HttpResponse } from '../retry-loop';
import type { RequestSpec } from './readRequest';

type FullResponse = { statusCode: number; headers?: Record<string, unknown>; body?: unknown };

export function createSender(ctx: IExecuteFunctions, spec: RequestSpec, authentication: string) {
  return async (timeoutMs: number): Promise<HttpResponse> => {
    // Built afresh per attempt: n8n's authentication adds its headers to the options it is given.
    const options: IHttpRequestOptions = {
      method: spec.method as IHttpRequestMethods,
      url: spec.url,
      headers: { ...spec.headers },
      qs: { ...spec.qs },
      json: true,
      returnFullResponse: true,
      ignoreHttpStatusErrors: true,
      timeout: timeoutMs,
      abortSignal: ctx.getExecutionCancelSignal(),
    };
    if (spec.body !== undefined) options.body = spec.body;
    const response = (
      authentication === AUTHENTICATION.none
        ? await ctx.helpers.httpRequest(options)
        : await ctx.helpers.httpRequestWithAuthentication.call(ctx, authentication, options)
    ) as FullResponse;
    return { statusCode: response.statusCode, headers: { ...(response.headers ?? {}) }, body: response.body };
  };
}

/** Credential values to scrub from anything echoed back (a server may repeat the token it got). */
export async function credentialSecrets(ctx: IExecuteFunctions, authentication: string): Promise<string[]> {
  if (authentication === AUTHENTICATION.token) {
    const { token } = await ctx.getCredentials<{ token?: string }>(AUTHENTICATION.token);
    return token ? [token, token.replace(/^\S+\s+/, '')] : [];
  }
  if (authentication === AUTHENTICATION.basic) {
    const { user, password } = await ctx.getCredentials<{ user?: string; password?: string }>(AUTHENTICATION.basic);
    return password ? [password, Buffer.from(`${user ?? ''}:${password}`).toString('base64')] : [];
  }
  return [];
}
