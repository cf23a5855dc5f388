/** Liveness and readiness, open to probes without a token; they reveal nothing but status. */
import { Router } from 'express';
import type { ContractStore } from '../../contract/store';
import type { MonitorStore } from '../../store/types';

export function healthRoutes(deps: { store: MonitorStore; contracts: ContractStore }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    let ready = true;
    try {
      await deps.store.ping();
      checks.store = 'ok';
    } catch {
      checks.store = 'unavailable';
      ready = false;
    }
    const contract = deps.contracts.status();
    checks.contract = contract.lastError ? 'last reload rejected; serving the previous version' : contract.source === 'file' ? 'ok' : 'none loaded';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  return router;
}
