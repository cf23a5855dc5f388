/**
 * `handoff-monitor report monday`: reads the store named by HANDOFF_MONITOR_DB beside a running
 * monitor (SQLite read-only, Postgres through an ordinary pool) and prints the checklist.
 */
import type { Contract } from '../contract/schema';
import { openStore } from '../store';
import { loadReportData } from './data';
import { formatReport, type ReportFormat } from './format';
import { buildMonday } from './monday';
import { buildOverview } from './overview';

export async function mondayReport(opts: {
  db: string;
  contract: Contract;
  format: ReportFormat;
  now?: number;
  retentionMs: number;
}): Promise<string> {
  let store;
  try {
    store = await openStore(opts.db, { retentionMs: opts.retentionMs, readonly: true });
  } catch (err) {
    throw new Error(
      `Cannot read the monitor's store at HANDOFF_MONITOR_DB=${/^postgres/i.test(opts.db) ? '(postgres URL)' : opts.db}: ${(err as Error).message}; point it at the file or URL the monitor uses`,
      { cause: err },
    );
  }
  try {
    const data = await loadReportData(store, opts.contract, opts.now ?? Date.now(), { withMonday: true });
    return formatReport(buildMonday(data, buildOverview(data)), opts.format);
  } finally {
    await store.close();
  }
}
