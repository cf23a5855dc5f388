/**
 * The guard's price per deal in the shipped kickoff, on the real n8n 2.41.1 (issue 17, item 1):
 *  - n8n's own per-node execution times of the guard's steps (Validate deal, Claim deal, Verify
 *    kickoff, Complete deal) over DEALS deals, beside n8n's HTTP Request posting the brief;
 *  - the whole kickoff against the same flow without the guard (bench/lib/kickoff-variants.ts):
 *    p50/p95 per deal one after another (guarded and plain deals alternate, so both see the same
 *    noise) and deals/s with CONCURRENCY deals in flight.
 * Every guarded deal must end completed in the ledger with its whole trace (validated, verified)
 * in the monitor's events, so the time is never saved by losing a checkpoint.
 * Target (docs/architecture.md "Performance targets"): guard steps ≤ 20 ms per deal (median).
 */
import Database from 'better-sqlite3';
import crypto from 'crypto';
import { startN8n, type N8nInstance } from '../test/harness/n8n';
import { startAgencyMock } from '../test/mocks/agency';
import {
  createTemplateCredentials,
  deploy,
  HANDOFF,
  KICKOFF_PATH,
  loadTemplate,
  pointAt,
  startTemplateMonitor,
} from '../test/e2e/support/templates';
import { answerWhenDone, GUARD_STEPS, withoutGuard } from './lib/kickoff-variants';
import { fmt, percentile, report } from './lib/report';

const DEALS = Number(process.env.BENCH_KICKOFF_DEALS ?? 200);
const WARMUP = 10;
const CONCURRENCY = 8;
const TARGET_MS = 20;
const PLAIN_PATH = 'handoff-kickoff-no-guard';

type Json = Record<string, unknown>;
interface RunData {
  [node: string]: { executionTime: number }[];
}
interface FullExecution {
  id: string;
  status: string;
  startedAt: string;
  stoppedAt: string;
  data?: { resultData: { runData: RunData; error?: { message: string } } };
}

let serial = 0;
/** A closed-won deal as the CRM's webhook posts it; amount under the review threshold. */
function deal(prefix: string): Json {
  const dealId = `${prefix}-${++serial}-${crypto.randomBytes(3).toString('hex')}`;
  return {
    event: 'deal.closed_won',
    dealId,
    id: dealId,
    name: `Bench deal ${serial}`,
    stage: 'closed-won',
    client: { name: `Client ${serial} Ltd`, email: 'buyer@example.com' },
    amount: 12_000,
    closedAt: new Date().toISOString(),
  };
}

/** Posts one deal and waits for the run to end (the webhook answers with the last node's output). */
async function kickoff(n8n: N8nInstance, hookPath: string, body: Json): Promise<number> {
  const started = performance.now();
  const res = await fetch(n8n.webhookUrl(hookPath), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${hookPath}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return performance.now() - started;
}

async function concurrently(
  n8n: N8nInstance,
  hookPath: string,
  prefix: string,
  deals: number,
): Promise<{ perSecond: number; ids: string[] }> {
  const ids: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < deals) {
        next++;
        const body = deal(prefix);
        ids.push(String(body.dealId));
        await kickoff(n8n, hookPath, body);
      }
    }),
  );
  return { perSecond: deals / ((performance.now() - started) / 1000), ids };
}

/** Every execution of a workflow with its run data, newest first. */
async function executionsWithData(n8n: N8nInstance, workflowId: string): Promise<FullExecution[]> {
  const all: FullExecution[] = [];
  let cursor: string | undefined;
  do {
    const params = new URLSearchParams({ workflowId, includeData: 'true', limit: '100', ...(cursor ? { cursor } : {}) });
    const page = await n8n.api<{ data: FullExecution[]; nextCursor?: string | null }>('GET', `/executions?${params}`);
    all.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const p = (xs: number[], q: number) => percentile(sorted(xs), q);

/** Deals whose ledger key is not completed, or whose trace lacks a checkpoint the kickoff reports. */
function missingTrace(db: string, dealIds: string[]): string[] {
  const reader = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const state = reader.prepare('SELECT state FROM claims WHERE handoff = ? AND key = ?');
    const kinds = reader.prepare('SELECT kind FROM events WHERE handoff = ? AND key = ?');
    const problems: string[] = [];
    for (const id of dealIds) {
      const s = (state.get(HANDOFF, id) as { state: string } | undefined)?.state;
      const seen = new Set((kinds.all(HANDOFF, id) as { kind: string }[]).map((r) => r.kind));
      const lacking = ['validated', 'verified'].filter((k) => !seen.has(k));
      if (s !== 'completed' || lacking.length)
        problems.push(`${id}: ${s ?? 'no claim'}${lacking.length ? `, no ${lacking.join('/')}` : ''}`);
    }
    return problems;
  } finally {
    reader.close();
  }
}

async function main() {
  const mock = await startAgencyMock();
  const [n8n, monitor] = await Promise.all([
    startN8n(),
    startTemplateMonitor({ alertWebhookUrl: `${mock.url}/chat/webhook/owner-alerts` }),
  ]);
  try {
    const credentials = await createTemplateCredentials(n8n, monitor, `tb-bench-${crypto.randomBytes(6).toString('hex')}`);
    const headerAuth = {
      taskBoard: await n8n.createCredential('Task board header', 'httpHeaderAuth', {
        name: 'Authorization',
        value: `Bearer tb-bench-${crypto.randomBytes(6).toString('hex')}`,
      }),
      cms: await n8n.createCredential('CMS header', 'httpHeaderAuth', {
        name: 'X-Api-Key',
        value: `cms-bench-${crypto.randomBytes(6).toString('hex')}`,
      }),
    };
    const template = pointAt(loadTemplate('sales-to-delivery-kickoff.json'), { mockUrl: mock.url, credentials });
    const guardedId = await deploy(n8n, answerWhenDone(JSON.parse(JSON.stringify(template))), KICKOFF_PATH);
    const plain = answerWhenDone(withoutGuard(template, headerAuth));
    const plainTrigger = plain.nodes.find((n) => n.type === 'n8n-nodes-base.webhook')!;
    plainTrigger.parameters.path = PLAIN_PATH;
    plainTrigger.webhookId = crypto.randomUUID();
    const plainId = await deploy(n8n, plain, PLAIN_PATH);

    for (let i = 0; i < WARMUP; i++) {
      await kickoff(n8n, KICKOFF_PATH, deal('warm-guard'));
      await kickoff(n8n, PLAIN_PATH, deal('warm-plain'));
    }
    const warmedGuard = new Set((await executionsWithData(n8n, guardedId)).map((e) => e.id));
    const warmedPlain = new Set((await executionsWithData(n8n, plainId)).map((e) => e.id));

    // One after another, alternating, so both flows see the same machine.
    const latency = { guard: [] as number[], plain: [] as number[] };
    const sequentialDeals: string[] = [];
    for (let i = 0; i < DEALS; i++) {
      const body = deal('seq');
      sequentialDeals.push(String(body.dealId));
      latency.guard.push(await kickoff(n8n, KICKOFF_PATH, body));
      latency.plain.push(await kickoff(n8n, PLAIN_PATH, deal('seq-plain')));
    }
    const guardRuns = (await executionsWithData(n8n, guardedId)).filter((e) => !warmedGuard.has(e.id));
    const plainRuns = (await executionsWithData(n8n, plainId)).filter((e) => !warmedPlain.has(e.id));
    const failed = [...guardRuns, ...plainRuns].filter((e) => e.status !== 'success');
    if (failed.length)
      throw new Error(`${failed.length} kickoff(s) did not succeed, e.g. ${failed[0].id}: ${failed[0].data?.resultData.error?.message}`);

    const nodeTime = (runs: FullExecution[], name: string) =>
      runs.map((e) => e.data!.resultData.runData[name]?.[0]?.executionTime ?? Number.NaN);
    const perStep = Object.fromEntries(GUARD_STEPS.map((s) => [s, nodeTime(guardRuns, s)]));
    const guardPerDeal = guardRuns.map((_, i) => GUARD_STEPS.reduce((sum, s) => sum + perStep[s][i], 0));
    if (guardPerDeal.some((x) => Number.isNaN(x))) throw new Error('a guarded run lacks one of the guard steps');
    const brief = nodeTime(guardRuns, 'Brief the copywriter');
    const runTime = (runs: FullExecution[]) => runs.map((e) => Date.parse(e.stoppedAt) - Date.parse(e.startedAt));

    const conc = {
      guard: await concurrently(n8n, KICKOFF_PATH, 'conc', DEALS),
      plain: await concurrently(n8n, PLAIN_PATH, 'conc-plain', DEALS),
    };
    const untraced = missingTrace(monitor.db, [...sequentialDeals, ...conc.guard.ids]);
    if (untraced.length)
      throw new Error(`${untraced.length} guarded deal(s) lost their trace or completion, e.g. ${untraced.slice(0, 3).join('; ')}`);

    const stepTimes = GUARD_STEPS.map((s) => `${s} ${fmt.ms(p(perStep[s], 50))}`).join(', ');
    report(
      'Price per deal: the shipped kickoff on n8n 2.41.1, with the guard and without',
      [
        {
          figure: `guard steps per deal, n8n node time, median of ${DEALS} deals`,
          value: `${fmt.ms(p(guardPerDeal, 50))} (mean ${fmt.ms(mean(guardPerDeal))}, p95 ${fmt.ms(p(guardPerDeal, 95))})`,
          compare: `target ≤ ${TARGET_MS} ms (55 ms before issue 17); n8n's HTTP Request posting the brief: ${fmt.ms(p(brief, 50))}`,
          meets: p(guardPerDeal, 50) <= TARGET_MS,
        },
        { figure: 'each guard step, median node time', value: stepTimes },
        {
          figure: `kickoff one deal at a time, client round trip p50 / p95 (${DEALS} deals)`,
          value: `${fmt.ms(p(latency.guard, 50))} / ${fmt.ms(p(latency.guard, 95))}`,
          compare: `without the guard: ${fmt.ms(p(latency.plain, 50))} / ${fmt.ms(p(latency.plain, 95))}`,
        },
        {
          figure: 'kickoff one deal at a time, n8n start to stop p50 / p95',
          value: `${fmt.ms(p(runTime(guardRuns), 50))} / ${fmt.ms(p(runTime(guardRuns), 95))}`,
          compare: `without the guard: ${fmt.ms(p(runTime(plainRuns), 50))} / ${fmt.ms(p(runTime(plainRuns), 95))}`,
        },
        {
          figure: `kickoffs per second, ${CONCURRENCY} deals in flight (${DEALS} deals)`,
          value: `${conc.guard.perSecond.toFixed(1)} deals/s`,
          compare: `without the guard: ${conc.plain.perSecond.toFixed(1)} deals/s (${(conc.guard.perSecond / conc.plain.perSecond).toFixed(2)}×)`,
        },
      ],
      [
        `Both flows answer their webhook when the run ends; the flow without the guard is the template with plain HTTP Request nodes (header auth) and no Gate, Preflight, QA Verify or Exception Router (bench/lib/kickoff-variants.ts). ${WARMUP} warm-up deals each are left out.`,
        `Every guarded deal ended completed in the ledger with its validated and verified checkpoints in the monitor's events (checked for all ${DEALS * 2}).`,
      ],
    );
  } finally {
    await n8n.stop();
    await monitor.close();
    await mock.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
