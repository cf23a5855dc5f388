/**
 * The Handoff Guard monitor, in-process, for e2e tests: the ledger the Gate in n8n talks to.
 * Its SQLite file is also read directly (read-only) to see a claim's state without touching it:
 * the public API has no "read a claim" call, and a claim request would change the ledger.
 */
import Database from 'better-sqlite3';
import { startTestMonitor } from '../../support/monitor';

export const HANDOFF = 'sales-to-delivery-kickoff';

const CONTRACT = `
systems:
  crm:       { name: CRM, kind: crm }
  taskboard: { name: Task board, kind: task_board }
handoffs:
  - id: ${HANDOFF}
    name: Sales → delivery kickoff
    source: crm
    targets: [taskboard]
    owner: { name: Dana Ops, channel: "#delivery-ops" }
    completionSla: 15m
`;

export interface ClaimRow {
  state: 'claimed' | 'completed' | 'released';
  attempt: number;
  lease_expires_at: number | null;
  claimed_at: number;
}

export async function startE2eMonitor() {
  const m = await startTestMonitor({ contract: CONTRACT });
  const { db, token } = m;
  return {
    url: m.url,
    token,
    /** The ledger row of one key, straight from the database (undefined: never claimed). */
    claim(key: string, handoff = HANDOFF): ClaimRow | undefined {
      const reader = new Database(db, { readonly: true, fileMustExist: true });
      try {
        return reader
          .prepare('SELECT state, attempt, lease_expires_at, claimed_at FROM claims WHERE handoff = ? AND key = ?')
          .get(handoff, key) as ClaimRow | undefined;
      } finally {
        reader.close();
      }
    },
    close: () => m.close(),
  };
}
