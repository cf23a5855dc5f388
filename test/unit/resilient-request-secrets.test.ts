// A token sent in a header or in the body must never come back out of the node: not in the
// attempt log, not in the sample of a refused answer that echoes the request, not in the URL.
import { ResilientRequest } from '../../nodes/ResilientRequest/ResilientRequest.node';
import { startScriptedServer, type ScriptedServer } from './resilient-request-server';
import { FAST_RETRY, mockContext } from './resilient-request-context';

const HEADER_TOKEN = 'hdr-tok-5f1c9a7e2b44d0c8';
const BODY_TOKEN = 'body-tok-a93e11d0b7c2f456';
const CREDENTIAL_TOKEN = 'cred-tok-77e2c1aa90bd3e5f';
const PASSWORD = 'pw-3c9d2e8f10ab';

let server: ScriptedServer;
afterEach(async () => server.close());

const leaks = (output: unknown) =>
  [HEADER_TOKEN, BODY_TOKEN, CREDENTIAL_TOKEN, PASSWORD].filter((secret) => JSON.stringify(output).includes(secret));

describe('Resilient Request keeps secrets out of its output', () => {
  it.each([
    ['header token credential', 'handoffTokenAuthApi'],
    ['basic auth credential', 'handoffBasicAuthApi'],
  ])('with a %s, against a target that echoes the request in its errors', async (_what, authentication) => {
    server = await startScriptedServer([{ echo: 503 }, { echo: 500 }, { echo: 422 }]);
    const { ctx } = mockContext({
      params: {
        method: 'POST',
        url: `${server.url}/projects?api_key=${HEADER_TOKEN}`,
        authentication,
        headerParameters: { parameters: [{ name: 'X-Api-Key', value: HEADER_TOKEN }] },
        bodySource: 'json',
        jsonBody: JSON.stringify({ name: 'Kickoff', auth: { accessToken: BODY_TOKEN } }),
        keySource: 'expression',
        keyExpression: 'deal-7',
        retry: FAST_RETRY,
      },
      items: [{ dealId: 7 }],
      credentials: {
        handoffTokenAuthApi: { headerName: 'Authorization', token: `Bearer ${CREDENTIAL_TOKEN}` },
        handoffBasicAuthApi: { user: 'ops', password: PASSWORD },
      },
    });
    const [success, failed] = await new ResilientRequest().execute.call(ctx);

    // The secrets really were sent (so the server's echo really contained them)…
    const sent = JSON.stringify(server.received);
    expect(sent).toContain(HEADER_TOKEN);
    expect(sent).toContain(BODY_TOKEN);
    expect(server.received).toHaveLength(3);
    // …and none of them came out of the node.
    expect(success).toEqual([]);
    expect(failed).toHaveLength(1);
    expect(failed[0].json.kind).toBe('request_failed');
    expect(failed[0].json.idempotencyKey).toBe('deal-7');
    expect((failed[0].json.response as { statusCode: number }).statusCode).toBe(422);
    expect(leaks(failed)).toEqual([]);
  });

  it('the attempt log of a success is clean too', async () => {
    server = await startScriptedServer([{ status: 503 }, { status: 200, body: { id: 1 } }]);
    const { ctx } = mockContext({
      params: {
        method: 'GET',
        url: `${server.url}/projects`,
        authentication: 'handoffTokenAuthApi',
        retry: FAST_RETRY,
      },
      items: [{}],
      credentials: { handoffTokenAuthApi: { headerName: 'X-Token', token: CREDENTIAL_TOKEN } },
    });
    const [success] = await new ResilientRequest().execute.call(ctx);
    expect(server.received[0].headers['x-token']).toBe(CREDENTIAL_TOKEN);
    expect(success).toHaveLength(1);
    expect(leaks(success[0].json.attempts)).toEqual([]);
  });
});
