/**
 * Liveness and readiness, open to probes without a token; they reveal nothing but status.
 * Ready means the store answers a read *and* takes a write: a read-only file or a full disk reads
 * fine while every claim fails, so /readyz writes one small row (shared by probes within a second),
 * and stays unready for a while after the API met a write the store refused.
 */
import { Router } from 'express';
import type { ContractStore } from '../../contract/store';
import type { MonitorStore } from '../../domain/store';
import { describeWriteFailure, type WriteHealth } from '../../store/writable';

/** Probes this close together share one check: an open endpoint must not become a write pump. */
const PROBE_SHARE_MS = 1_000;

export function healthRoutes(deps: { store: MonitorStore; contracts: ContractStore; now?: () => number; writes?: WriteHealth }): Router {
  const router = Router();
  const now = deps.now ?? Date.now;
  let last: { at: number; result: Promise<string> } | undefined;

  const checkStore = async (): Promise<string> => {
    try {
      await deps.store.ping();
    } catch {
      return 'unavailable';
    }
    try {
      await deps.store.probeWrite(now());
      return 'ok';
    } catch (err) {
      const failure = describeWriteFailure(err, '');
      return `writes failing: ${failure.kind} (${failure.code})`;
    }
  };

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    // The injected clock, like the probe's own write: one notion of time for the whole monitor.
    const at = now();
    if (!last || at - last.at >= PROBE_SHARE_MS) last = { at, result: checkStore() };
    // A write the API saw fail (a batch too big for what is left of the disk) outweighs a probe's
    // one small row that still fits.
    const seen = deps.writes?.recent();
    const store = seen ? `writes failing: ${seen.kind} (${seen.code})` : await last.result;
    const checks: Record<string, string> = { store };
    const ready = store === 'ok';
    const contract = deps.contracts.status();
    checks.contract = contract.lastError
      ? 'last reload rejected; serving the previous version'
      : contract.source === 'file'
        ? 'ok'
        : 'none loaded';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  return router;
}
