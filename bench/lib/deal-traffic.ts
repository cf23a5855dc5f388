/**
 * The monitor traffic of one deal through the shipped kickoff, request for request as the nodes send
 * it: Preflight Validate's `validated` checkpoint (nodes/shared/checkpoints.ts), the Gate's claim with
 * the deal's fingerprint and the execution (IdempotencyGate claim.operation.ts), QA Verify's `verified`
 * checkpoint, and the Gate's complete with its reason (settle.operation.ts). Every answer is checked:
 * a wrong status or decision is an error, not a fast reply.
 */
import { randomBytes } from 'crypto';
import type { MonitorClient } from './monitor-client';

export const KICKOFF = 'sales-to-delivery-kickoff';

export interface DealTiming {
  /** Each request's round trip, in the order sent. */
  requests: number[];
  errors: string[];
}

export async function runDeal(client: MonitorClient, key: string, executionId: string): Promise<DealTiming> {
  const execution = { id: executionId, workflowId: 'kPq3vX9sYt0LmN2a' };
  const requests: number[] = [];
  const errors: string[] = [];
  const step = async <T>(path: string, body: unknown, ok: (status: number, reply: T) => boolean) => {
    try {
      const reply = await client.post<T>(path, body);
      requests.push(reply.ms);
      if (!ok(reply.status, reply.body)) errors.push(`${path}: HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
    } catch (err) {
      errors.push(`${path}: ${(err as Error).message}`);
    }
  };
  type Claimed = { results?: { decision: string }[] };
  type Settled = { results?: { outcome: string }[] };
  type Accepted = { accepted?: number };
  await step<Accepted>(
    '/events',
    { events: [{ handoff: KICKOFF, execution, key, kind: 'validated' }] },
    (s, r) => s === 202 && r.accepted === 1,
  );
  await step<Claimed>(
    '/claims',
    { handoff: KICKOFF, execution, items: [{ key, fingerprint: randomBytes(32).toString('hex') }] },
    (s, r) => s === 200 && r.results?.[0]?.decision === 'new',
  );
  await step<Accepted>(
    '/events',
    { events: [{ handoff: KICKOFF, execution, key, kind: 'verified' }] },
    (s, r) => s === 202 && r.accepted === 1,
  );
  await step<Settled>(
    '/claims/complete',
    { handoff: KICKOFF, keys: [key], reason: 'project and folder created and read back' },
    (s, r) => s === 200 && r.results?.[0]?.outcome === 'completed',
  );
  return { requests, errors };
}
