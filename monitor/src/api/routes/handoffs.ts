/** The contract as the nodes see it: ids, names, owners and SLAs for the editor's dropdowns. */
import { Router } from 'express';
import type { HandoffSummary } from '../../../../protocol/ledger';
import { API_ROUTES } from '../../../../protocol/paths';
import type { ContractStore } from '../../contract/store';

export function handoffRoutes(contracts: ContractStore): Router {
  const router = Router();
  router.get(API_ROUTES.handoffs, (_req, res) => {
    const contract = contracts.current();
    const handoffs: (HandoffSummary & Record<string, unknown>)[] = contract.handoffs.map((h) => ({
      id: h.id,
      name: h.name ?? h.id,
      source: h.source,
      targets: h.targets,
      owner: h.owner,
      escalation: h.escalation,
      completionSlaSeconds: Math.round(h.completionSla / 1000),
      exceptionSlaSeconds: Math.round(h.exceptionSla / 1000),
      workflows: h.workflows,
      routes: h.routes,
    }));
    res.json({ handoffs, systems: contract.systems });
  });
  return router;
}
