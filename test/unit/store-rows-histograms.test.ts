/** A duration histogram after one more observation (monitor/src/store/rows/histograms.ts). */
import { HISTOGRAM_BOUNDS } from '../../monitor/src/domain/metric-definitions';
import { observeInto } from '../../monitor/src/store/rows/histograms';

describe('observeInto', () => {
  it('starts a histogram with one slot per bound plus +Inf, and adds to the slot, the sum and the count', () => {
    const first = observeInto(undefined, 'time_to_detection', 3);
    expect(first.counts).toHaveLength(HISTOGRAM_BOUNDS.time_to_detection.length + 1);
    expect(first).toEqual({ counts: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], sum: 3, count: 1 });
    const second = observeInto(first, 'time_to_detection', 100_000); // past the last bound: +Inf
    expect(second).toEqual({ counts: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1], sum: 100_003, count: 2 });
    expect(first.counts[10]).toBe(0); // the stored figures are not changed in place
  });

  it('counts a negative duration (clocks apart) as 0 seconds', () => {
    expect(observeInto(undefined, 'time_to_recovery', -5)).toEqual({ counts: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0], sum: 0, count: 1 });
  });
});
