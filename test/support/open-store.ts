/** A store opened directly (no HTTP) on a fresh database of the given kind, for store-level tests. */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { openStore, type MonitorStore } from '../../monitor/src/store';
import { createTestDatabase, type StoreKind, type TestDatabase } from './stores';

export const RETENTION_MS = 30 * 24 * 3_600_000;

export interface OpenedStore {
  store: MonitorStore;
  db: TestDatabase;
  /** Closes the store, drops the database and removes the temp folder; safe to call twice. */
  close(): Promise<void>;
}

export async function openTestStore(kind: StoreKind, opts: { retentionMs?: number } = {}): Promise<OpenedStore> {
  const dir = mkdtempSync(join(tmpdir(), `handoff-store-${kind}-`));
  const db = await createTestDatabase(kind, dir);
  let store: MonitorStore;
  try {
    store = await openStore(db.location, { retentionMs: opts.retentionMs ?? RETENTION_MS });
  } catch (err) {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let closed: Promise<void> | undefined;
  return {
    store,
    db,
    close: () =>
      (closed ??= (async () => {
        try {
          await store.close();
        } finally {
          await db.drop();
          rmSync(dir, { recursive: true, force: true });
        }
      })()),
  };
}
