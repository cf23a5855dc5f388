/**
 * The growth picture: claim latency against ledger size, one line per store and percentile, drawn as
 * a plain SVG from the numbers (a pure function: no plotting dependency, the same input gives the same
 * bytes). The size axis is logarithmic (ten thousand to ten million keys), the latency axis linear from 0.
 */
export interface GrowthSeries {
  label: string;
  color: string;
  dashed?: boolean;
  points: { keys: number; ms: number }[];
}

const W = 640;
const H = 360;
const PAD = { left: 64, right: 180, top: 36, bottom: 48 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (n: number) => (Math.round(n * 10) / 10).toString();
const sizeLabel = (keys: number) => (keys >= 1e6 ? `${keys / 1e6}M` : keys >= 1e3 ? `${keys / 1e3}k` : `${keys}`);

/** A round step for about five gridlines up to `max`. */
function yStep(max: number): number {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
}

export function growthSvg(title: string, series: GrowthSeries[]): string {
  const points = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.ms) && p.keys > 0);
  const minKeys = Math.min(...points.map((p) => p.keys));
  const maxKeys = Math.max(...points.map((p) => p.keys));
  const step = yStep(Math.max(0.1, ...points.map((p) => p.ms)) * 1.1);
  const maxMs = step * Math.ceil((Math.max(0.1, ...points.map((p) => p.ms)) * 1.1) / step);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const lo = Math.log10(minKeys);
  const span = Math.max(1e-9, Math.log10(maxKeys) - lo);
  const x = (keys: number) => PAD.left + ((Math.log10(keys) - lo) / span) * plotW;
  const y = (ms: number) => PAD.top + plotH - (ms / maxMs) * plotH;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${PAD.left}" y="22" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let v = 0; v <= maxMs + 1e-9; v += step) {
    out.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${num(y(v))}" y2="${num(y(v))}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${PAD.left - 6}" y="${num(y(v) + 4)}" text-anchor="end">${num(v)}</text>`);
  }
  const sizes = [...new Set(points.map((p) => p.keys))].sort((a, b) => a - b);
  for (const k of sizes) {
    out.push(`<line x1="${num(x(k))}" x2="${num(x(k))}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${num(x(k))}" y="${PAD.top + plotH + 16}" text-anchor="middle">${sizeLabel(k)}</text>`);
  }
  out.push(`<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#444"/>`);
  out.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}" stroke="#444"/>`);
  out.push(`<text x="${PAD.left + plotW / 2}" y="${H - 10}" text-anchor="middle">keys already in the ledger (log scale)</text>`);
  out.push(`<text transform="translate(16 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">claim round trip (ms)</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p.ms)).sort((a, b) => a.keys - b.keys);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${pts.map((p) => `${num(x(p.keys))},${num(y(p.ms))}`).join(' ')}"/>`,
    );
    for (const p of pts) out.push(`<circle cx="${num(x(p.keys))}" cy="${num(y(p.ms))}" r="3" fill="${s.color}"/>`);
    const ly = PAD.top + 8 + i * 20;
    const lx = PAD.left + plotW + 16;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 30}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
