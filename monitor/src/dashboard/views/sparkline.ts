/** A 24-hour trend as small bars: the height is runs per hour, the red part the failed runs. */
import { html, type Html } from '../html';

const W = 120;
const H = 28;

export function sparkline(points: { at: number; runs: number; failed: number }[], label: string): Html {
  const max = Math.max(1, ...points.map((p) => p.runs));
  const step = W / Math.max(1, points.length);
  const bar = Math.max(1, step - 1);
  const failed = points.reduce((n, p) => n + p.failed, 0);
  const runs = points.reduce((n, p) => n + p.runs, 0);
  return html`<svg class="spark" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}: ${runs} runs, ${failed} failed in 24 h">
<title>${label}: ${runs} runs, ${failed} failed in the last 24 h (one bar per hour)</title>
<line x1="0" y1="${H - 0.5}" x2="${W}" y2="${H - 0.5}" stroke="#dde3ea" stroke-width="1"/>
${points.map((p, i) => {
  if (p.runs === 0) return '';
  const h = Math.max(2, (p.runs / max) * (H - 2));
  const fh = p.failed ? Math.max(2, (p.failed / max) * (H - 2)) : 0;
  const x = (i * step).toFixed(1);
  return html`<rect x="${x}" y="${(H - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="#9fb3c8"/>${
    fh ? html`<rect x="${x}" y="${(H - fh).toFixed(1)}" width="${bar.toFixed(1)}" height="${fh.toFixed(1)}" fill="#c62828"/>` : ''
  }`;
})}
</svg>`;
}
