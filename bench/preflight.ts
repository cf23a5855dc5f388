/**
 * Preflight Validate vs the raw validator (design target: ≥ 0.9× raw Ajv's items/s).
 * Same 7-field deal schema, same items; the node runs its real execute() (parameter reading,
 * cached compile, per-item loop, output items with pairedItem) through a minimal context.
 * Prints through bench/lib/report.ts, so `npm run bench` gathers it into bench/RESULTS.md.
 * Run: npx tsx bench/preflight.ts [items]
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { PreflightValidate } from '../nodes/PreflightValidate/PreflightValidate.node';
import { fmt, report } from './lib/report';

const ITEMS = Number(process.argv[2] ?? 200_000);
const ROUNDS = 7;

const dealSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['dealId', 'clientName', 'clientEmail', 'amount', 'currency', 'closedAt', 'owner'],
  properties: {
    dealId: { type: 'string', pattern: '^D-[0-9]+$' },
    clientName: { type: 'string', minLength: 1 },
    clientEmail: { type: 'string', format: 'email' },
    amount: { type: 'number', minimum: 0 },
    currency: { enum: ['EUR', 'USD', 'GBP'] },
    closedAt: { type: 'string', format: 'date-time' },
    owner: { type: 'string', minLength: 1 },
  },
};

const items: INodeExecutionData[] = Array.from({ length: ITEMS }, (_, i) => ({
  json: {
    dealId: `D-${1000 + i}`,
    clientName: `Client ${i}`,
    clientEmail: `ops${i}@client${i % 97}.example.com`,
    amount: 1000 + (i % 5000),
    currency: ['EUR', 'USD', 'GBP'][i % 3],
    closedAt: `2026-0${1 + (i % 9)}-1${i % 10}T10:${10 + (i % 50)}:00Z`,
    owner: 'Dana Ops',
  },
}));

const parameters: Record<string, unknown> = {
  mode: 'schema',
  schemaSource: 'parameter',
  schema: JSON.stringify(dealSchema),
  draft: '2020-12',
  handoff: '',
  keyField: 'dealId',
};

/** Just what execute() touches; no engine, so the figure is the node's own cost. */
const context = {
  getInputData: () => items,
  getNodeParameter: (name: string, _i: number, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
  getNode: () => ({ name: 'Preflight', type: 'preflightValidate', typeVersion: 1, parameters: {}, id: '1', position: [0, 0] }),
  continueOnFail: () => false,
  addExecutionHints: () => undefined,
} as unknown as IExecuteFunctions;

/** Rounds alternate between contenders so JIT warm-up and GC pressure fall on all of them alike. */
async function race(contenders: Record<string, () => number | Promise<number>>): Promise<Record<string, number>> {
  const fastest: Record<string, number> = Object.fromEntries(Object.keys(contenders).map((k) => [k, Infinity]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(contenders)) {
      const start = process.hrtime.bigint();
      const valid = await run();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (valid !== ITEMS) throw new Error(`${name}: expected ${ITEMS} valid items, got ${valid}`);
      fastest[name] = Math.min(fastest[name], seconds);
    }
  }
  return Object.fromEntries(Object.entries(fastest).map(([k, seconds]) => [k, ITEMS / seconds]));
}

async function main() {
  const node = new PreflightValidate();
  const rawDefault = new Ajv2020();
  addFormats(rawDefault);
  const validateDefault = rawDefault.compile(dealSchema);
  const rawSame = new Ajv2020({ allErrors: true, strict: false });
  addFormats(rawSame);
  const validateSame = rawSame.compile(dealSchema);
  const loop = (validate: (data: unknown) => boolean) => () => {
    let valid = 0;
    for (let i = 0; i < items.length; i++) if (validate(items[i].json)) valid++;
    return valid;
  };

  const rates = await race({
    rawDefault: loop(validateDefault),
    rawSame: loop(validateSame),
    node: async () => (await node.execute.call(context))[0].length,
  });
  const peer = Math.max(rates.rawDefault, rates.rawSame);

  const ratio = rates.node / peer;
  report(
    'Preflight Validate vs raw Ajv',
    [
      { figure: 'raw Ajv (defaults)', value: fmt.perSecond(rates.rawDefault) },
      { figure: "raw Ajv (node's options)", value: fmt.perSecond(rates.rawSame) },
      { figure: 'Preflight Validate (execute)', value: fmt.perSecond(rates.node), compare: `faster raw: ${fmt.perSecond(peer)}` },
      { figure: 'ratio node / faster raw', value: `${ratio.toFixed(2)}×`, compare: '≥ 0.90× (docs/architecture.md)', meets: ratio >= 0.9 },
    ],
    [`${ITEMS.toLocaleString('en-US')} valid items, 7-field deal schema, best of ${ROUNDS} alternating rounds, wall time`],
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
