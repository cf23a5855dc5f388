/**
 * A Prometheus histogram whose buckets live in the store (per handoff, summed here), so it survives
 * restarts and agrees across monitor replicas. prom-client's own Histogram can only observe in
 * memory; its Registry accepts any object with `name` and `get()`, which is what this is.
 */
/** The shape prom-client's Registry formats (its own type for it is not exported). */
interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

export interface HistogramCounts {
  /** Per-bound counts plus +Inf, not cumulative. */
  counts: number[];
  sum: number;
  count: number;
}

export class StoredHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private current: HistogramCounts;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {
    this.current = { counts: new Array(bounds.length + 1).fill(0), sum: 0, count: 0 };
  }

  /** Replaces the values shown by the next scrape. */
  set(parts: HistogramCounts[]): void {
    const counts = new Array(this.bounds.length + 1).fill(0);
    let sum = 0;
    let count = 0;
    for (const p of parts) {
      p.counts.forEach((n, i) => {
        if (i < counts.length) counts[i] += n;
      });
      sum += p.sum;
      count += p.count;
    }
    this.current = { counts, sum, count };
  }

  async get(): Promise<{ name: string; help: string; type: 'histogram'; values: Sample[]; aggregator: 'sum' }> {
    const values: Sample[] = [];
    let cumulative = 0;
    this.bounds.forEach((le, i) => {
      cumulative += this.current.counts[i];
      values.push({ metricName: `${this.name}_bucket`, labels: { le }, value: cumulative });
    });
    values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf' }, value: this.current.count });
    values.push({ metricName: `${this.name}_sum`, labels: {}, value: this.current.sum });
    values.push({ metricName: `${this.name}_count`, labels: {}, value: this.current.count });
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }

  reset(): void {
    this.set([]);
  }
}
