import { readFileSync } from 'fs';
import { join } from 'path';
import { ContractError, parseContract } from '../../monitor/src/contract/load';

const example = readFileSync(join(__dirname, '../../workflows-templates/handoffs.yaml'), 'utf8');

function problemsOf(text: string): string[] {
  try {
    parseContract(text, 'handoffs.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ContractError);
    return (err as ContractError).problems;
  }
  throw new Error('expected the contract to be rejected');
}

describe('handoff contract', () => {
  it('parses the shipped example with durations in milliseconds and defaults filled', () => {
    const contract = parseContract(example);
    const kickoff = contract.handoffs[0];
    expect(kickoff.id).toBe('sales-to-delivery-kickoff');
    expect(kickoff.completionSla).toBe(15 * 60_000);
    expect(kickoff.exceptionSla).toBe(48 * 3_600_000);
    expect(kickoff.expectedCadence).toBe(24 * 3_600_000);
    expect(kickoff.owner).toEqual({ name: 'Dana Ops', channel: '#delivery-ops' });
    expect(kickoff.routes[0]).toEqual({ match: 'invalid', to: { name: 'Sam Sales', channel: '#sales-ops' } });
    expect(contract.systems.crm.kind).toBe('crm');
  });

  it('names the line, the handoff and the field of a bad duration', () => {
    const bad = example.replace('completionSla: 15m', 'completionSla: 15 minutes');
    const [problem] = problemsOf(bad);
    expect(problem).toMatch(/^line 18: handoffs\[0\] \(sales-to-delivery-kickoff\)\.completionSla: "15 minutes" is not a duration/);
  });

  it('rejects a missing owner and a typo in a field name, with the line of the handoff', () => {
    const text = `
systems:
  crm: { name: CRM }
handoffs:
  - id: a
    source: crm
    targets: [crm]
    ownr: { name: Dana }
`;
    expect(problemsOf(text).sort()).toEqual([
      'line 5: handoffs[0] (a).owner: is required',
      'line 5: handoffs[0] (a): Unrecognized key: "ownr"',
    ]);
  });

  it('once the shape is right, checks references: unknown systems and duplicate ids', () => {
    const text = `
systems:
  crm: { name: CRM }
handoffs:
  - { id: a, source: crm, targets: [nowhere], owner: { name: Dana } }
  - { id: a, source: crm, targets: [crm], owner: { name: Dana } }
`;
    const problems = problemsOf(text);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^line 5: handoffs\[0\] \(a\)\.targets\[0\]: names system "nowhere", which is not under systems: \(known: crm\)/,
        ),
        expect.stringMatching(/^line 6: handoffs\[1\] \(a\)\.id: duplicates the id of handoffs\[0\]/),
      ]),
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf('systems:\n  crm: { name: CRM\nhandoffs: []\n');
    expect(problems[0]).toMatch(/^line \d+:/);
  });

  it('rejects a route to "escalation" when the handoff has none', () => {
    const text = `
systems: { crm: { name: CRM } }
handoffs:
  - { id: x, source: crm, targets: [crm], owner: { name: O }, routes: [{ match: "*", to: escalation }] }
`;
    expect(problemsOf(text)[0]).toMatch(/routes\[0\]\.to: routes to "escalation" but the handoff has no escalation/);
  });

  it('accepts an empty file as an empty contract', () => {
    expect(parseContract('')).toEqual({ systems: {}, handoffs: [] });
  });
});
