/** /readyz's memory of refused writes: storage failures only, held for a while, ended by a write that goes through. */
import { createWriteHealth, describeWriteFailure } from '../../monitor/src/store/writable';

const failure = (code: string) => Object.assign(new Error(`failed with ${code}`), { code });

describe('write health', () => {
  it('remembers a storage failure for the hold time, then lets a probe decide', () => {
    const clock = { now: 0 };
    const writes = createWriteHealth({ holdMs: 30_000, clock: () => clock.now });
    expect(writes.observe(failure('SQLITE_FULL'))).toMatchObject({ kind: 'disk full or failing', code: 'SQLITE_FULL' });
    clock.now = 29_999;
    expect(writes.recent()).toMatchObject({ code: 'SQLITE_FULL' });
    clock.now = 30_000;
    expect(writes.recent()).toBeUndefined();
  });

  it('forgets it once a write goes through', () => {
    const writes = createWriteHealth();
    writes.observe(failure('25006'));
    expect(writes.recent()).toMatchObject({ kind: 'read-only' });
    writes.succeeded();
    expect(writes.recent()).toBeUndefined();
  });

  it('ignores errors that are not the store refusing writes (those stay 500s, monitor bugs)', () => {
    const writes = createWriteHealth();
    expect(writes.observe(new TypeError('x is undefined'))).toBeUndefined();
    expect(writes.observe(failure('23505'))).toBeUndefined();
    expect(writes.recent()).toBeUndefined();
  });

  it.each([
    ['SQLITE_READONLY', 'read-only', /make \/var\/lib\/m\.db, its folder and its -wal and -shm files writable/],
    ['SQLITE_READONLY_DBMOVED', 'read-only', /read-only for this user/],
    ['SQLITE_FULL', 'disk full or failing', /is full or failing/],
    ['SQLITE_IOERR_WRITE', 'disk full or failing', /is full or failing/],
    ['SQLITE_CANTOPEN', 'permission denied', /make its folder writable/],
    ['25006', 'read-only', /point HANDOFF_MONITOR_DB at the primary/],
    ['53100', 'disk full or failing', /disk is full/],
    ['42501', 'permission denied', /grant it INSERT, UPDATE and DELETE/],
  ])('describes %s as %s with the fix', (code, kind, fix) => {
    const d = describeWriteFailure(failure(code), '/var/lib/m.db');
    expect(d.kind).toBe(kind);
    expect(d.fix).toMatch(fix);
  });

  it('never shows a password of a Postgres URL in the fix', () => {
    expect(describeWriteFailure(failure('SQLITE_FULL'), 'postgres://monitor:s3cretPassw0rd@db:5432/handoff').fix).not.toContain(
      's3cretPassw0rd',
    );
  });
});
