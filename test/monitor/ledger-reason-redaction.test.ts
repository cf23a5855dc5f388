/**
 * The free-text `reason` of /claims/complete and /claims/release is redacted before it is stored
 * (the claim row and the trace event), so neither the store nor the Monday page ever shows a secret.
 */
import { startTestMonitor, type TestMonitor } from '../support/monitor';
import { storeKinds } from '../support/stores';

const SECRET = 'Rz7SecretReasonValue4411';

describe.each(storeKinds)('complete and release reasons on %s', (kind) => {
  let m: TestMonitor;
  beforeAll(async () => {
    m = await startTestMonitor({ store: kind });
  });
  afterAll(() => m?.close());

  it('are redacted in the store and on the Monday page', async () => {
    await m.post('/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'deal-r1' }, { key: 'deal-r2' }] });
    const done = await m.post('/api/v1/claims/complete', {
      handoff: 'kickoff',
      keys: ['deal-r1'],
      reason: `project created; the board answered with Authorization: Token ${SECRET}`,
    });
    expect(done.status).toBe(200);
    const released = await m.post('/api/v1/claims/release', {
      handoff: 'kickoff',
      keys: ['deal-r2'],
      reason: `retry later (AWS_SECRET_ACCESS_KEY=${SECRET})`,
    });
    expect(released.status).toBe(200);

    const monday = await m.request('GET', '/monday');
    expect(monday.status).toBe(200);
    expect(monday.body).toContain('deal-r1');
    expect(monday.body).toContain('project created');
    expect(monday.body).not.toContain(SECRET);

    await m.monitor.close(); // SQLite: the WAL is folded into the file that contents() reads
    const stored = await m.database.contents();
    expect(stored).toContain('project created');
    expect(stored).toContain('[redacted]');
    expect(stored).not.toContain(SECRET);
  });
});
