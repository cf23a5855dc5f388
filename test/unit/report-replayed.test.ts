/**
 * The Monday spot check names who replayed a deal: the person (`by`) and where they asked (`via`),
 * as replays record it now; checkpoints written before said only where ("dashboard", "api <ip>").
 */
import { parseContract } from '../../monitor/src/contract/load';
import { spotCheck } from '../../monitor/src/report/monday';

const T0 = Date.parse('2026-11-30T09:00:00Z');
const contract = parseContract(`
systems: { crm: { name: CRM }, taskboard: { name: Task board } }
handoffs:
  - { id: kickoff, source: crm, targets: [taskboard], owner: { name: Dana Ops } }
`);

const noteOf = (details: Record<string, unknown>) =>
  spotCheck(
    {
      claim: { handoff: 'kickoff', key: 'deal-42', attempt: 2, claimedAt: T0 + 10, completedAt: T0 + 20, executionId: '502' },
      events: [
        { id: 1, handoff: 'kickoff', key: 'deal-42', kind: 'replayed', at: T0, details: { of: '501', workflowId: '101', ...details } },
      ],
    },
    contract,
  ).steps.find((s) => s.kind === 'replayed')?.note;

describe('who replayed, in the spot check', () => {
  it.each([
    [{ by: 'Priya Delivery', via: 'dashboard' }, 'by Priya Delivery on the dashboard, input of execution 501'],
    [{ by: 'dana', via: 'api' }, 'by dana through the API, input of execution 501'],
    [{ via: 'dashboard' }, 'on the dashboard (no name given), input of execution 501'],
    [{ by: 'dashboard' }, 'from the dashboard, input of execution 501'],
    [{ by: 'api 127.0.0.1' }, 'from the api 127.0.0.1, input of execution 501'],
    [{}, 'from the monitor, input of execution 501'],
  ])('%j → %s', (details, note) => {
    expect(noteOf(details)).toBe(note);
  });

  it('a secret typed as a name is not repeated', () => {
    expect(noteOf({ by: 'Dana Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ', via: 'api' })).not.toContain(
      'eyJhbGciOiJIUzI1NiJ9',
    );
  });
});
