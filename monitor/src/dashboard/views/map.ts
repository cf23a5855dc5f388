/** Page 3: the contract as a map — systems as boxes, handoffs as arrows coloured by health; a click opens the handoff. */
import type { Contract } from '../../contract/schema';
import type { HealthLevel } from '../../report/health';
import { html, type Html } from '../html';
import { BOX, layoutMap } from '../map-layout';

export const HEALTH_COLOURS: Record<HealthLevel, string> = { red: '#c62828', amber: '#e08600', green: '#2e7d32' };

export function mapView(contract: Contract, health: Map<string, { level: HealthLevel; reasons: string[] }>): Html {
  if (contract.handoffs.length === 0) {
    return html`<h1>Workflow map</h1><p class="empty">The contract names no handoffs yet, so there is nothing to draw.</p>`;
  }
  const m = layoutMap(contract);
  const name = (id: string) => contract.handoffs.find((h) => h.id === id)?.name ?? id;
  return html`<h1>Workflow map</h1>
<p class="lead">Drawn from the handoff contract. Boxes are systems; ★ marks a system of record (the source of a handoff's object). Arrows are handoffs, coloured by health — click one to open it.</p>
<div class="map">
<svg viewBox="0 0 ${m.width} ${m.height}" width="${m.width}" height="${m.height}" role="img" aria-label="Workflow map" font-family="system-ui, sans-serif">
<defs>${(Object.keys(HEALTH_COLOURS) as HealthLevel[]).map(
    (level) =>
      html`<marker id="head-${level}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${HEALTH_COLOURS[level]}"/></marker>`,
  )}</defs>
${m.systems.map(
    (s) => html`<g class="system" data-system="${s.id}">
<rect x="${s.x}" y="${s.y}" width="${BOX.width}" height="${BOX.height}" rx="8" fill="#ffffff" stroke="${s.systemOfRecord ? '#17202e' : '#9aa7b6'}" stroke-width="${s.systemOfRecord ? 2.5 : 1.5}"/>
<text x="${s.x + BOX.width / 2}" y="${s.y + 28}" text-anchor="middle" font-size="15" font-weight="700" fill="#1d2430">${s.systemOfRecord ? '★ ' : ''}${s.name}</text>
<text x="${s.x + BOX.width / 2}" y="${s.y + 47}" text-anchor="middle" font-size="12" fill="#5f6b7a">${s.kind}${s.systemOfRecord ? ' · system of record' : ''}</text>
</g>`,
  )}
${m.arrows.map((a) => {
    const level = health.get(a.handoff)?.level ?? 'green';
    const why = health.get(a.handoff)?.reasons.join('; ');
    return html`<a href="/#handoff-${a.handoff}" class="handoff" data-handoff="${a.handoff}" data-health="${level}">
<title>${name(a.handoff)} (${level}${why ? `: ${why}` : ''})</title>
<path d="${a.path}" fill="none" stroke="transparent" stroke-width="16"/>
<path class="arrow" d="${a.path}" fill="none" stroke="${HEALTH_COLOURS[level]}" stroke-width="3.5" marker-end="url(#head-${level})"/>
<text x="${a.label.x}" y="${a.label.y}" text-anchor="middle" font-size="12.5" font-weight="600" fill="${HEALTH_COLOURS[level]}" stroke="#ffffff" stroke-width="4" paint-order="stroke">${name(a.handoff)}</text>
</a>`;
  })}
</svg>
<div class="legend"><span class="red">red: needs someone now</span><span class="amber">amber: needs a look</span><span class="green">green: fine</span></div>
</div>`;
}
