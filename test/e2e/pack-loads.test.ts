/** The packed node package loads in a real n8n, installed the way n8n installs community packages. */
import { E2E_TIMEOUT_MS, N8nInstance, startN8n } from '../harness/n8n';
import { stopAllServices } from '../harness/processes';

jest.setTimeout(E2E_TIMEOUT_MS);

let n8n: N8nInstance;
beforeAll(async () => {
  n8n = await startN8n();
});
afterAll(async () => {
  await n8n?.stop();
  await stopAllServices();
});

it('lists the Idempotency Gate among n8n node types under the package name', async () => {
  const types = await n8n.nodeTypes();
  expect(types).toContainEqual({ name: 'n8n-nodes-handoff-guard.idempotencyGate', version: [1, 1.1] });
});

it('lists the Handoff Monitor API credential type', async () => {
  expect(await n8n.credentialTypes()).toContain('handoffMonitorApi');
});

it('accepts a Handoff Monitor API credential through the public API', async () => {
  const created = await n8n.createCredential('Monitor', 'handoffMonitorApi', { url: 'http://127.0.0.1:5680', token: 'x'.repeat(32) });
  expect(created.id).toEqual(expect.any(String));
});
