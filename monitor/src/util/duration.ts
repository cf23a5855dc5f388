/**
 * Durations as people write them in the contract and the environment: "500ms", "5s", "15m", "48h", "30d".
 * A bare number means seconds, the unit every Prometheus and HTTP header uses.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/;

/** Milliseconds for a duration string, or undefined when it is not one. */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input * 1_000 : undefined;
  const match = DURATION.exec(input);
  if (!match) return undefined;
  const value = Number(match[1]) * UNIT_MS[match[2] ?? 's'];
  return Number.isFinite(value) ? Math.round(value) : undefined;
}

export const DURATION_HINT = 'write a number with a unit: ms, s, m, h or d (for example 15m or 48h)';

/** "2h 5m" style text for people; the dashboard and errors use it. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms / 1000));
  const d = Math.floor(rest / 86_400);
  rest -= d * 86_400;
  const h = Math.floor(rest / 3_600);
  rest -= h * 3_600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`, (s || (!d && !h && !m)) && `${s}s`].filter(Boolean);
  return sign + parts.slice(0, 2).join(' ');
}
