/** Reading Prometheus exposition text in tests (a monitor's /metrics). */

/** The value of one sample, e.g. sample(text, 'handoff_executions_total{handoff="kickoff",status="success"}'); undefined when absent. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
