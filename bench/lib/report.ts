/**
 * Every benchmark prints its figures side by side with the peer or target they answer to, and one
 * machine-readable line that `bench/run.js` gathers into bench/RESULTS.md.
 */
export interface BenchRow {
  figure: string;
  value: string;
  /** The peer measured in the same run, or the target from docs/architecture.md. */
  compare?: string;
  /** Whether the figure meets its target; undefined where there is none. */
  meets?: boolean;
}

export function report(area: string, rows: BenchRow[], notes: string[] = []): void {
  const widths = [
    Math.max(6, ...rows.map((r) => r.figure.length)),
    Math.max(5, ...rows.map((r) => r.value.length)),
    Math.max(15, ...rows.map((r) => (r.compare ?? '').length)),
  ];
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 4)).join(' | ');
  process.stdout.write(`\n== ${area}\n`);
  process.stdout.write(`${line(['figure', 'value', 'peer or target', 'meets'])}\n`);
  for (const r of rows)
    process.stdout.write(`${line([r.figure, r.value, r.compare ?? '', r.meets === undefined ? '' : r.meets ? 'yes' : 'NO'])}\n`);
  for (const n of notes) process.stdout.write(`  note: ${n}\n`);
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ area, rows, notes })}\n`);
}

export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString('en-US'),
  ms: (n: number) => `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`,
  perSecond: (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`,
};

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}
