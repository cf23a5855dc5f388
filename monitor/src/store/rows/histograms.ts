/** A duration histogram row after one more observation; the same arithmetic on both stores. */
import { type DurationMetric, HISTOGRAM_BOUNDS, histogramSlot } from '../../domain/metric-definitions';

/** A duration_histograms row's figures: one count per bound plus +Inf, the sum of seconds, the number observed. */
export interface HistogramFigures {
  counts: number[];
  sum: number;
  count: number;
}

/** `before` is the stored row, or undefined for the first observation of this metric and handoff. A negative duration counts as 0. */
export function observeInto(before: HistogramFigures | undefined, metric: DurationMetric, seconds: number): HistogramFigures {
  const counts = before ? [...before.counts] : new Array<number>(HISTOGRAM_BOUNDS[metric].length + 1).fill(0);
  const value = Math.max(0, seconds);
  counts[histogramSlot(metric, value)] += 1;
  return { counts, sum: (before?.sum ?? 0) + value, count: (before?.count ?? 0) + 1 };
}
