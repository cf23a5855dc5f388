/** The ledger API: claim, complete, release (docs/architecture.md, "Ledger API"). */
import { Router } from 'express';
import type { ClaimResponse, SettleResponse } from '../../../../protocol/ledger';
import { API_ROUTES } from '../../../../protocol/paths';
import { redactString } from '../../../../protocol/redact';
import type { ContractStore } from '../../contract/store';
import type { LedgerStore } from '../../domain/store';
import { ApiError } from '../errors';
import { claimRequestSchema, parseBody, settleRequestSchema } from '../validate';

export interface LedgerRouteDeps {
  ledger: LedgerStore;
  contracts: ContractStore;
  defaultLeaseMs: number;
  now: () => number;
  onClaims?: (handoff: string, decisions: Map<string, number>) => void;
}

/** With a contract in force, a handoff id must be in it: a typo would otherwise open a private ledger. */
function checkHandoff(contracts: ContractStore, id: string) {
  const contract = contracts.current();
  if (contract.handoffs.length === 0) return undefined;
  const handoff = contracts.handoff(id);
  if (!handoff) {
    const known = contract.handoffs.map((h) => h.id).join(', ');
    throw new ApiError(
      404,
      'unknown_handoff',
      `Unknown handoff "${id}": it is not in ${contracts.file} (known: ${known}); pick one of those or add it to the contract`,
    );
  }
  return handoff;
}

export function ledgerRoutes(deps: LedgerRouteDeps): Router {
  const router = Router();

  router.post(API_ROUTES.claims, async (req, res) => {
    const body = parseBody(req, claimRequestSchema, 'claim request');
    const handoff = checkHandoff(deps.contracts, body.handoff);
    const leaseMs = body.leaseSeconds !== undefined ? body.leaseSeconds * 1000 : (handoff?.completionSla ?? deps.defaultLeaseMs);
    const results = await deps.ledger.claim(
      { handoff: body.handoff, leaseMs, executionId: body.execution?.id, workflowId: body.execution?.workflowId, items: body.items },
      deps.now(),
    );
    if (deps.onClaims) {
      const tally = new Map<string, number>();
      for (const r of results) tally.set(r.decision, (tally.get(r.decision) ?? 0) + 1);
      deps.onClaims(body.handoff, tally);
    }
    const response: ClaimResponse = { results };
    res.json(response);
  });

  for (const action of ['complete', 'release'] as const) {
    router.post(API_ROUTES[action], async (req, res) => {
      const body = parseBody(req, settleRequestSchema, `${action} request`);
      checkHandoff(deps.contracts, body.handoff);
      // The reason is free text (often an error message quoting a request): it is stored on the
      // claim and in the trace, and shown on the Monday page, so it is redacted at the door.
      const reason = body.reason === undefined ? undefined : redactString(body.reason);
      const results = await deps.ledger.settle(action, { ...body, reason }, deps.now());
      const response: SettleResponse = { results };
      res.json(response);
    });
  }

  return router;
}
