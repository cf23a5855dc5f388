/**
 * Can the store be written? A read-only SQLite file opens, migrates (when nothing is left to
 * migrate) and answers every read, so only a write tells; the same for a full disk and for a
 * Postgres standby. Start-up refuses such a store with the fix; /readyz reports it as not ready.
 */
import { redactString } from '../../../protocol/redact';
import type { MonitorStore } from '../domain/store';

export interface WriteFailure {
  /** The driver's code (SQLITE_READONLY, SQLITE_FULL, 25006…), or `unknown`. */
  code: string;
  /** A few words for /readyz: what kind of failure, never a path or data. */
  kind: 'read-only' | 'disk full or failing' | 'permission denied' | 'failed';
  /** What to do, for the start-up error and the log. */
  fix: string;
}

export function describeWriteFailure(err: unknown, location: string): WriteFailure {
  const code = String((err as { code?: unknown })?.code ?? 'unknown');
  const where = redactString(location);
  if (code.startsWith('SQLITE_READONLY')) {
    return {
      code,
      kind: 'read-only',
      fix: `the file or its folder is read-only for this user: make ${where}, its folder and its -wal and -shm files writable, or point HANDOFF_MONITOR_DB at a writable place`,
    };
  }
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) {
    return {
      code,
      kind: 'disk full or failing',
      fix: `the disk that holds ${where} is full or failing (or a file-size limit is reached): free space, then the monitor writes again`,
    };
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM')) {
    return { code, kind: 'permission denied', fix: `the monitor may not create files beside ${where}: make its folder writable` };
  }
  if (code === '25006') {
    return {
      code,
      kind: 'read-only',
      fix: 'the database accepts only reads (a standby, or default_transaction_read_only is on): point HANDOFF_MONITOR_DB at the primary',
    };
  }
  if (code === '53100') return { code, kind: 'disk full or failing', fix: "the database server's disk is full: free space on it" };
  if (code === '42501')
    return {
      code,
      kind: 'permission denied',
      fix: "the database user may not write: grant it INSERT, UPDATE and DELETE on the monitor's tables",
    };
  return { code, kind: 'failed', fix: redactString(String((err as Error)?.message ?? err)).slice(0, 300) };
}

/** Start-up: one committed write, or an error that says what is wrong and how to fix it. */
export async function ensureWritable(store: MonitorStore, location: string, now: number): Promise<void> {
  try {
    await store.probeWrite(now);
  } catch (err) {
    const failure = describeWriteFailure(err, location);
    throw new Error(`The store at ${redactString(location)} (HANDOFF_MONITOR_DB) cannot be written (${failure.code}): ${failure.fix}`, {
      cause: err,
    });
  }
}

/** How long a failed write keeps /readyz unready after the last one seen (then a probe decides). */
export const WRITE_FAILURE_HOLD_MS = 30_000;

/**
 * Write failures the API met (a batch of claims that did not fit on a full disk, while a probe's
 * one small row still does): /readyz stays unready for a while after the last one, so a balancer
 * stops sending writes here; a write that goes through, or WRITE_FAILURE_HOLD_MS without another
 * failure (then a probe decides), ends it.
 */
export interface WriteHealth {
  /** Records `err` when it is a storage failure (read-only, full, no permission); returns it described, or undefined. */
  observe(err: unknown): WriteFailure | undefined;
  /** The latest storage failure seen within the hold time. */
  recent(): WriteFailure | undefined;
  /** A write went through: the store takes writes again. */
  succeeded(): void;
}

export function createWriteHealth(opts: { holdMs?: number; clock?: () => number } = {}): WriteHealth {
  const holdMs = opts.holdMs ?? WRITE_FAILURE_HOLD_MS;
  const clock = opts.clock ?? Date.now;
  let last: { at: number; failure: WriteFailure } | undefined;
  return {
    observe(err) {
      const failure = describeWriteFailure(err, '');
      if (failure.kind === 'failed') return undefined;
      last = { at: clock(), failure };
      return failure;
    },
    recent: () => (last && clock() - last.at < holdMs ? last.failure : undefined),
    succeeded() {
      last = undefined;
    },
  };
}
