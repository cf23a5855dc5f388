/**
 * The ledger load both ledger benchmarks drive: sequential claim batches of fresh keys over one
 * keep-alive connection, after a short warm-up (JIT, prepared statements, the socket).
 */
import { percentile } from './report';

export interface ClaimLoad {
  claimsPerSecond: number;
  p50: number;
  p95: number;
}

/** One batch of fresh keys; every key must come back `new`, or the figure would measure something else. */
async function claim(url: string, token: string, prefix: string, batch: number): Promise<void> {
  const items = Array.from({ length: batch }, (_, i) => ({ key: `${prefix}-${i}` }));
  const res = await fetch(`${url}/api/v1/claims`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ handoff: 'bench', items }),
  });
  if (res.status !== 200) throw new Error(`claim failed: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { results: { decision: string }[] };
  if (body.results.length !== batch || body.results.some((r) => r.decision !== 'new')) throw new Error('claim answered with wrong results');
}

export async function measureClaims(url: string, token: string, batch: number, requests: number, prefix: string): Promise<ClaimLoad> {
  for (let i = 0; i < 5; i++) await claim(url, token, `${prefix}-warm-${i}`, Math.min(batch, 100));
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  for (let r = 0; r < requests; r++) {
    const t0 = process.hrtime.bigint();
    await claim(url, token, `${prefix}-${r}`, batch);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { claimsPerSecond: (batch * requests) / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}
