/**
 * The templates as a person sees them on the canvas (issue 15): sticky notes that group and explain
 * every stage, one that says what to change to connect real systems, nodes that never overlap, a
 * layout in bands rather than one long line, and a pinned sample deal so the kickoff runs from the
 * editor without the CRM. n8n places a node by its top-left corner; a sticky note likewise, with
 * its width and height in its parameters.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fs from 'fs';
import path from 'path';

const DIR = path.join(__dirname, '../../workflows-templates');
const STICKY = 'n8n-nodes-base.stickyNote';

type Node = { name: string; type: string; position: [number, number]; parameters: Record<string, unknown> };
type Workflow = {
  name: string;
  nodes: Node[];
  connections: Record<string, { main: unknown[][] }>;
  pinData?: Record<string, { json: Record<string, unknown> }[]>;
};
type Box = { x0: number; y0: number; x1: number; y1: number };

const load = (file: string) => JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Workflow;
const stickies = (wf: Workflow) => wf.nodes.filter((n) => n.type === STICKY);
const working = (wf: Workflow) => wf.nodes.filter((n) => n.type !== STICKY);
const text = (sticky: Node) => String(sticky.parameters.content ?? '');
const heading = (sticky: Node) => /^##\s+(.+)$/m.exec(text(sticky))?.[1] ?? '';

/** A node's box on the canvas (100 × 100, taller with more than two outputs) plus its label below. */
function footprint(wf: Workflow, n: Node): Box {
  const outputs = wf.connections[n.name]?.main.length ?? 1;
  const height = 100 + Math.max(0, outputs - 2) * 40;
  const [x, y] = n.position;
  return { x0: x - 40, y0: y, x1: x + 140, y1: y + height + 60 };
}
const area = (s: Node): Box => ({
  x0: s.position[0],
  y0: s.position[1],
  x1: s.position[0] + Number(s.parameters.width),
  y1: s.position[1] + Number(s.parameters.height),
});
const overlap = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
const inside = (a: Box, b: Box) => a.x0 >= b.x0 && a.y0 >= b.y0 && a.x1 <= b.x1 && a.y1 <= b.y1;

/** Every stage a template must explain on the canvas: a sticky headed "<n> · <stage>" around these nodes. */
const STAGES: Record<string, { heading: RegExp; nodes: string[] }[]> = {
  'sales-to-delivery-kickoff.json': [
    { heading: /validate/i, nodes: ['CRM deal closed-won', 'Config', 'Deal', 'Validate deal'] },
    { heading: /claim/i, nodes: ['Claim deal', 'Already handled'] },
    { heading: /create/i, nodes: ['Plan kickoff', 'Create project', 'Remember project', 'Create CMS folder', 'Remember folder'] },
    { heading: /verify/i, nodes: ['Read back project', 'Keep project', 'Read back folder', 'Keep folder', 'Verify kickoff'] },
    { heading: /review/i, nodes: ['Needs review?', 'Ask for review', 'Wait for review', 'Approved?', 'Approved deal'] },
    { heading: /complete/i, nodes: ['Complete deal', 'Real deal?', 'Brief the copywriter', 'Smoke test: no brief'] },
    {
      heading: /route exceptions/i,
      nodes: [
        'Invalid deal',
        'Conflicting repeat',
        'Read-back mismatch',
        'Review not approved',
        'Exception Router',
        'New incident? (sales ops)',
        'New incident? (delivery ops)',
        'Tell sales ops',
        'Tell delivery ops',
      ],
    },
  ],
  'error-workflow.json': [
    { heading: /catch/i, nodes: ['Kickoff failed'] },
    { heading: /route exceptions/i, nodes: ['Exception Router'] },
  ],
  'nightly-reconcile.json': [
    { heading: /fetch/i, nodes: ['Every night', 'Config', 'Task-board projects', 'Closed-won deals'] },
    { heading: /deals/i, nodes: ['One item per deal', 'Closed since the last run'] },
    { heading: /reconcile/i, nodes: ['Reconcile deals and projects'] },
    {
      heading: /route exceptions/i,
      nodes: ['Missing projects', 'Mismatched projects', 'Deal without project', 'Project differs from deal', 'Exception Router'],
    },
  ],
  'handoff-smoke-test.json': [
    { heading: /send/i, nodes: ['Every hour', 'Config', 'Synthetic deal', 'Send as the CRM'] },
    { heading: /check/i, nodes: ['Give the kickoff time', 'Find project', 'Find folder', 'What arrived', 'Every step arrived?'] },
    { heading: /clean up/i, nodes: ['Delete project', 'Delete folder'] },
    { heading: /route exceptions/i, nodes: ['A step is missing', 'Exception Router'] },
  ],
};

/** What the "change this to connect your systems" note must name, per template. */
const CONNECT: Record<string, RegExp[]> = {
  'sales-to-delivery-kickoff.json': [
    /CRM/,
    /task board/i,
    /CMS/,
    /\*\*Config\*\*/,
    /\*\*Deal\*\*/,
    /webhook\/handoff-kickoff/,
    /credentials/i,
  ],
  'error-workflow.json': [/Webhook URL/, /ops channel/, /Error Workflow/, /Publish/],
  'nightly-reconcile.json': [/CRM/, /task board/i, /\*\*Config\*\*/, /Closed-won deals/],
  'handoff-smoke-test.json': [/kickoffWebhookUrl/, /taskboardUrl/, /cmsUrl/, /waitSeconds/],
};

it('covers every template', () => {
  expect(Object.keys(STAGES).sort()).toEqual(
    fs
      .readdirSync(DIR)
      .filter((f) => f.endsWith('.json'))
      .sort(),
  );
});

describe.each(Object.keys(STAGES))('%s on the canvas', (file) => {
  const wf = load(file);

  it.each(STAGES[file].map((s) => [s.heading.source, s] as const))(
    'a sticky note explains the "%s" stage around its nodes',
    (_name, stage) => {
      const matching = stickies(wf).filter((s) => /^\d+ · /.test(heading(s)) && stage.heading.test(heading(s)));
      expect(matching.map(heading)).toHaveLength(1);
      const [note] = matching;
      expect(
        text(note)
          .replace(/^##.*$/m, '')
          .trim().length,
      ).toBeGreaterThan(40);
      for (const name of stage.nodes) {
        const n = wf.nodes.find((x) => x.name === name);
        expect({ name, found: Boolean(n) }).toEqual({ name, found: true });
        expect({ name, inside: inside(footprint(wf, n!), area(note)) }).toEqual({ name, inside: true });
      }
    },
  );

  it('groups every node into a stage', () => {
    const grouped = new Set(STAGES[file].flatMap((s) => s.nodes));
    expect(
      working(wf)
        .map((n) => n.name)
        .filter((name) => !grouped.has(name)),
    ).toEqual([]);
  });

  it('says on the canvas what to change to connect real systems', () => {
    const all = stickies(wf).map(text).join('\n');
    for (const needed of CONNECT[file])
      expect({ needed: needed.source, said: needed.test(all) }).toEqual({ needed: needed.source, said: true });
  });

  it('no two nodes overlap, nor do two sticky notes', () => {
    const nodes = working(wf);
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const pair = [nodes[i].name, nodes[j].name];
        expect({ pair, overlap: overlap(footprint(wf, nodes[i]), footprint(wf, nodes[j])) }).toEqual({ pair, overlap: false });
      }
    }
    const notes = stickies(wf);
    for (let i = 0; i < notes.length; i++) {
      for (let j = i + 1; j < notes.length; j++) {
        const pair = [heading(notes[i]), heading(notes[j])];
        expect({ pair, overlap: overlap(area(notes[i]), area(notes[j])) }).toEqual({ pair, overlap: false });
      }
    }
  });

  it('lists sticky notes after the working nodes (the trigger stays first)', () => {
    const firstSticky = wf.nodes.findIndex((n) => n.type === STICKY);
    expect(wf.nodes.slice(firstSticky).every((n) => n.type === STICKY)).toBe(true);
    expect(wf.nodes[0].type).toMatch(/Trigger$|\.webhook$/);
  });
});

describe('the kickoff', () => {
  const wf = load('sales-to-delivery-kickoff.json');

  it('reads in bands, not one long line: nodes on several rows, the canvas not much wider than tall', () => {
    const boxes = working(wf).map((n) => footprint(wf, n));
    const width = Math.max(...boxes.map((b) => b.x1)) - Math.min(...boxes.map((b) => b.x0));
    const height = Math.max(...boxes.map((b) => b.y1)) - Math.min(...boxes.map((b) => b.y0));
    expect(new Set(working(wf).map((n) => n.position[1])).size).toBeGreaterThanOrEqual(4);
    expect(width / height).toBeLessThan(2);
  });

  it('pins a sample deal on its webhook: valid by the deal schema, below the review threshold, not a smoke test', () => {
    expect(Object.keys(wf.pinData ?? {})).toEqual(['CRM deal closed-won']);
    const [item] = wf.pinData!['CRM deal closed-won'];
    const deal = item.json.body as Record<string, unknown>;
    const ajv = new Ajv2020({ allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(DIR, 'schemas/deal.schema.json'), 'utf8')));
    expect({ valid: validate(deal), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
    const config = (
      wf.nodes.find((n) => n.name === 'Config')!.parameters.assignments as { assignments: { name: string; value: unknown }[] }
    ).assignments;
    expect(Number(deal.amount)).toBeLessThan(Number(config.find((a) => a.name === 'reviewFromAmount')!.value));
    expect(deal.synthetic).toBeUndefined();
    expect(String(deal.dealId)).toMatch(/^SAMPLE-/);
  });

  it('the other templates pin nothing', () => {
    for (const file of ['error-workflow.json', 'nightly-reconcile.json', 'handoff-smoke-test.json'])
      expect(load(file).pinData ?? {}).toEqual({});
  });
});
