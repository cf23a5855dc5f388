/**
 * Fault injection for the mock agency systems: what the next calls to one system should suffer.
 * Pure bookkeeping; the server asks `next()` once per call and acts on the answer.
 */

export type SystemName = 'crm' | 'taskboard' | 'cms' | 'chat';
export const SYSTEMS: SystemName[] = ['crm', 'taskboard', 'cms', 'chat'];

export interface FaultSpec {
  /** Only calls with this HTTP method are affected (default: all). */
  method?: string;
  /** Answer the next `count` calls with `status` (and `body`, default an error JSON). */
  failNext?: { count: number; status: number; body?: unknown };
  /** Delay calls by `ms` before the system sees them; `count` calls, or every call when absent. */
  latency?: { ms: number; count?: number };
  /** Answer the next `count` calls with 429 and `Retry-After: retryAfterSeconds`. */
  rateLimitNext?: { count: number; retryAfterSeconds: number };
}

/** What to do to one call, decided before it reaches the system. */
export interface FaultDecision {
  delayMs: number;
  respond?: { status: number; headers: Record<string, string>; body: unknown };
}

interface Rule extends FaultSpec {
  system: SystemName;
}

export class FaultBook {
  private rules: Rule[] = [];

  add(system: SystemName, spec: FaultSpec): void {
    if (!SYSTEMS.includes(system)) throw new Error(`unknown system "${system}"; use one of ${SYSTEMS.join(', ')}`);
    // Copies: counters are consumed as calls arrive, the caller's object stays untouched.
    this.rules.push({
      system,
      method: spec.method?.toUpperCase(),
      failNext: spec.failNext && { ...spec.failNext },
      latency: spec.latency && { ...spec.latency },
      rateLimitNext: spec.rateLimitNext && { ...spec.rateLimitNext },
    });
  }

  clear(system?: SystemName): void {
    this.rules = system ? this.rules.filter((r) => r.system !== system) : [];
  }

  /** Consumes the counters the call uses up. Latency adds up; the first rule with a failure answers. */
  next(system: SystemName, method: string): FaultDecision {
    const decision: FaultDecision = { delayMs: 0 };
    for (const rule of this.rules) {
      if (rule.system !== system || (rule.method && rule.method !== method.toUpperCase())) continue;
      if (rule.latency && (rule.latency.count === undefined || rule.latency.count > 0)) {
        decision.delayMs += rule.latency.ms;
        if (rule.latency.count !== undefined) rule.latency.count--;
      }
      if (decision.respond) continue;
      if (rule.rateLimitNext && rule.rateLimitNext.count > 0) {
        rule.rateLimitNext.count--;
        const retryAfter = String(rule.rateLimitNext.retryAfterSeconds);
        decision.respond = {
          status: 429,
          headers: { 'retry-after': retryAfter },
          body: { error: 'rate_limited', retryAfter: Number(retryAfter) },
        };
      } else if (rule.failNext && rule.failNext.count > 0) {
        rule.failNext.count--;
        const { status, body } = rule.failNext;
        decision.respond = { status, headers: {}, body: body ?? { error: 'injected_fault', status } };
      }
    }
    return decision;
  }
}
