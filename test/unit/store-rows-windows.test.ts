/** The rolling-window bookkeeping both stores share (monitor/src/store/rows/windows.ts). */
import { bucketStart, WINDOWS, windowHorizon } from '../../monitor/src/domain/metric-definitions';
import { countPairs, countRuns, groupCounts, horizonsOf, oldestKeptBucket, windowMove } from '../../monitor/src/store/rows/windows';

const M = 60_000;
const H = 60 * M;
const T0 = Date.parse('2026-03-02T09:00:30Z');
const NOW = T0 + 5 * M;
/** Every window moved to NOW, as advance(NOW) leaves window_horizons. */
const moved = horizonsOf(WINDOWS.map((w) => ({ span: w.span, horizon: windowHorizon(w, NOW) })));
const w1h = WINDOWS.find((w) => w.span === '1h')!;
const w7d = WINDOWS.find((w) => w.span === '7d')!;

describe('countRuns', () => {
  it('counts runs per handoff and status, and only error and crashed as failed', () => {
    const { statuses, counts } = countRuns([
      { handoff: 'kickoff', status: 'success', at: T0 },
      { handoff: 'kickoff', status: 'error', at: T0 },
      { handoff: 'kickoff', status: 'success', at: T0 + M },
      { handoff: 'invoice', status: 'crashed', at: T0 },
      { handoff: 'invoice', status: 'canceled', at: T0 },
    ]);
    expect(statuses).toEqual([
      { handoff: 'kickoff', status: 'success', count: 2 },
      { handoff: 'kickoff', status: 'error', count: 1 },
      { handoff: 'invoice', status: 'crashed', count: 1 },
      { handoff: 'invoice', status: 'canceled', count: 1 },
    ]);
    expect(counts.map((c) => [c.handoff, c.count, c.failed])).toEqual([
      ['kickoff', 1, 0],
      ['kickoff', 1, 1],
      ['kickoff', 1, 0],
      ['invoice', 1, 1],
      ['invoice', 1, 0],
    ]);
  });
});

describe('groupCounts', () => {
  it('adds counts of one handoff in one bucket together, per resolution, and into every window they fall in', () => {
    const { buckets, windows } = groupCounts(
      [
        { handoff: 'kickoff', at: T0, count: 1, failed: 1 },
        { handoff: 'kickoff', at: T0 + 10_000, count: 1, failed: 0 },
        { handoff: 'kickoff', at: T0 + 2 * M, count: 3, failed: 2 },
        { handoff: 'invoice', at: T0, count: 1, failed: 0 },
      ],
      moved,
      NOW,
    );
    expect(buckets).toEqual([
      { resolution: M, bucket: bucketStart(T0, M), handoff: 'kickoff', count: 2, failed: 1 },
      { resolution: H, bucket: bucketStart(T0, H), handoff: 'kickoff', count: 5, failed: 3 },
      { resolution: M, bucket: bucketStart(T0 + 2 * M, M), handoff: 'kickoff', count: 3, failed: 2 },
      { resolution: M, bucket: bucketStart(T0, M), handoff: 'invoice', count: 1, failed: 0 },
      { resolution: H, bucket: bucketStart(T0, H), handoff: 'invoice', count: 1, failed: 0 },
    ]);
    expect(windows).toEqual([
      { handoff: 'kickoff', span: '1h', count: 5, failed: 3 },
      { handoff: 'kickoff', span: '24h', count: 5, failed: 3 },
      { handoff: 'kickoff', span: '7d', count: 5, failed: 3 },
      { handoff: 'invoice', span: '1h', count: 1, failed: 0 },
      { handoff: 'invoice', span: '24h', count: 1, failed: 0 },
      { handoff: 'invoice', span: '7d', count: 1, failed: 0 },
    ]);
  });

  it('adds to no window before its first move (that move sums the buckets), nor to one the count is already older than', () => {
    const late = { handoff: 'kickoff', at: NOW - 2 * H, count: 1, failed: 1 };
    expect(groupCounts([late], new Map(), NOW).windows).toEqual([]);
    expect(groupCounts([late], moved, NOW).windows.map((w) => w.span)).toEqual(['24h', '7d']);
    // The window's first bucket counts; the one before it does not.
    const edge = moved.get('1h')!;
    expect(groupCounts([{ ...late, at: edge }], moved, NOW).windows.map((w) => w.span)).toEqual(['1h', '24h', '7d']);
    expect(groupCounts([{ ...late, at: edge - 1 }], moved, NOW).windows.map((w) => w.span)).toEqual(['24h', '7d']);
  });

  it('writes no bucket a count is already older than the retention of, the same for runs and for pairs', () => {
    // Two hours old: past the one-minute buckets' 61 minutes, inside the hourly buckets' 169 hours.
    const at = NOW - 2 * H;
    const runs = groupCounts(countRuns([{ handoff: 'kickoff', status: 'error', at }]).counts, moved, NOW);
    const pairs = groupCounts(countPairs([{ handoff: 'kickoff', at, seen: 1, failed: 1 }]), moved, NOW);
    expect(runs.buckets).toEqual([{ resolution: H, bucket: bucketStart(at, H), handoff: 'kickoff', count: 1, failed: 1 }]);
    expect(pairs).toEqual(runs);
    // The oldest kept bucket itself is written.
    const oldest = oldestKeptBucket(NOW, M, 61 * M);
    expect(groupCounts([{ handoff: 'kickoff', at: oldest, count: 1, failed: 0 }], moved, NOW).buckets.map((b) => b.resolution)).toEqual([
      M,
      H,
    ]);
    expect(groupCounts([{ handoff: 'kickoff', at: NOW - 170 * H, count: 1, failed: 0 }], moved, NOW).buckets).toEqual([]);
  });
});

describe('windowMove', () => {
  const at = (now: number) => windowHorizon(w1h, now);
  it('does nothing while the horizon stays, subtracts while some old buckets remain, and sums afresh otherwise', () => {
    expect(windowMove(w1h, at(T0), at(T0 + 20_000))).toBe('none');
    expect(windowMove(w1h, undefined, at(T0))).toBe('refill');
    expect(windowMove(w1h, at(T0), at(T0 + 30 * M))).toBe('subtract');
    expect(windowMove(w1h, at(T0), at(T0 + 59 * M))).toBe('subtract');
    expect(windowMove(w1h, at(T0), at(T0 + 60 * M))).toBe('refill'); // none of its 60 buckets left
    expect(windowMove(w1h, at(T0 + 5 * M), at(T0))).toBe('refill'); // the clock went back
    expect(windowMove(w7d, windowHorizon(w7d, T0), windowHorizon(w7d, T0 + 167 * H))).toBe('subtract');
    expect(windowMove(w7d, windowHorizon(w7d, T0), windowHorizon(w7d, T0 + 168 * H))).toBe('refill');
  });
});
