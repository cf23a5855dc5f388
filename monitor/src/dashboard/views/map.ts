/**
 * Page 3: the contract as a map — systems as boxes, handoffs as arrows coloured by health; a click
 * opens the handoff. What the audit found in n8n that the contract lacks is drawn apart, dashed and
 * grey, each linking to its findings on the audit page.
 */
import type { Contract } from '../../contract/schema';
import type { HealthLevel } from '../../report/health';
import { html, type Html } from '../html';
import { BOX, layoutMap, type DiscoveredMap } from '../map-layout';

export const HEALTH_COLOURS: Record<HealthLevel, string> = { red: '#c62828', amber: '#e08600', green: '#2e7d32' };
/** Discovered in n8n, absent from the contract. */
export const DISCOVERED_COLOUR = '#8a96a6';
const DASH = '7 5';

export interface MapAudit {
  /** What to draw apart; undefined when the audit has nothing (not configured, failed, still reading). */
  discovered?: DiscoveredMap;
  /** Why there is nothing, in one sentence, or a note about the drawing. */
  note?: string;
}

export function mapView(contract: Contract, health: Map<string, { level: HealthLevel; reasons: string[] }>, audit?: MapAudit): Html {
  const found = audit?.discovered && audit.discovered.edges.length ? audit.discovered : undefined;
  const note = audit?.note ? html`<p class="muted" data-audit-note>${audit.note}</p>` : '';
  if (contract.handoffs.length === 0 && !found) {
    return html`<h1>Workflow map</h1><p class="empty">The contract names no handoffs yet, so there is nothing to draw.</p>${note}`;
  }
  const m = layoutMap(contract, found);
  const name = (id: string) => contract.handoffs.find((h) => h.id === id)?.name ?? id;
  // A workflow writing to several systems is named once on the map (in full in each arrow's tooltip).
  const labelled = new Set<string>();
  const short = (text: string) => (text.length > 32 ? `${text.slice(0, 31)}…` : text);
  return html`<h1>Workflow map</h1>
<p class="lead">Drawn from the handoff contract. Boxes are systems; ★ marks a system of record (the source of a handoff's object). Arrows are handoffs, coloured by health — click one to open it.${
    found
      ? ' Dashed grey boxes and arrows are systems and handoffs the audit found in n8n that the contract does not hold — click one for its findings.'
      : ''
  }</p>
${note}
<div class="map">
<svg viewBox="0 0 ${m.width} ${m.height}" width="${m.width}" height="${m.height}" role="img" aria-label="Workflow map" font-family="system-ui, sans-serif">
<defs>${(Object.keys(HEALTH_COLOURS) as HealthLevel[]).map(
    (level) =>
      html`<marker id="head-${level}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${HEALTH_COLOURS[level]}"/></marker>`,
  )}<marker id="head-discovered" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${DISCOVERED_COLOUR}"/></marker></defs>
${m.systems.map((s) =>
  s.discovered
    ? html`<a href="/audit#system-${encodeURIComponent(s.id)}" class="system-link" data-discovered="true"><g class="system discovered" data-system="${s.id}" data-discovered="true">
<title>${s.name}: found in n8n, not in the contract</title>
<rect x="${s.x}" y="${s.y}" width="${BOX.width}" height="${BOX.height}" rx="8" fill="#f5f7fa" stroke="${DISCOVERED_COLOUR}" stroke-width="1.5" stroke-dasharray="${DASH}"/>
<text x="${s.x + BOX.width / 2}" y="${s.y + 28}" text-anchor="middle" font-size="15" font-weight="700" fill="#5f6b7a">${s.name}</text>
<text x="${s.x + BOX.width / 2}" y="${s.y + 47}" text-anchor="middle" font-size="12" fill="#5f6b7a">${s.kind} · not in the contract</text>
</g></a>`
    : html`<g class="system" data-system="${s.id}">
<rect x="${s.x}" y="${s.y}" width="${BOX.width}" height="${BOX.height}" rx="8" fill="#ffffff" stroke="${s.systemOfRecord ? '#17202e' : '#9aa7b6'}" stroke-width="${s.systemOfRecord ? 2.5 : 1.5}"/>
<text x="${s.x + BOX.width / 2}" y="${s.y + 28}" text-anchor="middle" font-size="15" font-weight="700" fill="#1d2430">${s.systemOfRecord ? '★ ' : ''}${s.name}</text>
<text x="${s.x + BOX.width / 2}" y="${s.y + 47}" text-anchor="middle" font-size="12" fill="#5f6b7a">${s.kind}${s.systemOfRecord ? ' · system of record' : ''}</text>
</g>`,
)}
${m.arrows.map((a) => {
  if (a.discovered) {
    const d = a.discovered;
    const what = d.findings
      ? `${d.findings} finding${d.findings === 1 ? '' : 's'}${d.severity ? `, worst ${d.severity}` : ''}`
      : 'no findings';
    return html`<a href="/audit#wf-${encodeURIComponent(d.workflowId)}" class="handoff discovered" data-workflow="${d.workflowId}" data-discovered="true">
<title>${d.workflow}: found in n8n, not in the contract (${what})</title>
<path d="${a.path}" fill="none" stroke="transparent" stroke-width="16"/>
<path class="arrow" d="${a.path}" fill="none" stroke="${DISCOVERED_COLOUR}" stroke-width="3" stroke-dasharray="${DASH}" marker-end="url(#head-discovered)"/>
${
  labelled.has(d.workflowId)
    ? ''
    : (labelled.add(d.workflowId),
      html`<text x="${a.label.x}" y="${a.label.y}" text-anchor="middle" font-size="12.5" font-weight="600" fill="#5f6b7a" stroke="#ffffff" stroke-width="4" paint-order="stroke">${short(d.workflow)}</text>`)
}
</a>`;
  }
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
</div>${
    found
      ? html`<p class="muted" data-legend="discovered"><svg width="28" height="8" aria-hidden="true"><line x1="0" y1="4" x2="28" y2="4" stroke="${DISCOVERED_COLOUR}" stroke-width="3" stroke-dasharray="6 4"/></svg> grey, dashed: found in n8n, not in the contract — see the <a href="/audit">audit</a> for what to add.</p>`
      : ''
  }`;
}
