/**
 * Where the workflow map puts things: systems in columns by how far downstream they sit (a system
 * that is only a source is in the first column), handoffs as arrows from the source's box to each
 * target's box. What the audit found in n8n but the contract lacks (systems, and handoffs between
 * them) is placed by the same rule and marked `discovered`, so the view can draw it apart.
 * Pure geometry, so the view only draws.
 */
import type { Contract } from '../contract/schema';

/** Systems and handoffs the audit discovered in n8n that the contract does not hold. */
export interface DiscoveredMap {
  /** Systems absent from the contract (edges may also end at contract systems). */
  systems: { id: string; name: string; kind: string }[];
  edges: { workflowId: string; workflow: string; from: string; to: string; findings: number; severity?: 'high' | 'medium' | 'low' }[];
}

export const BOX = { width: 180, height: 64, columnGap: 250, rowGap: 44, margin: 36 };

export interface PlacedSystem {
  id: string;
  name: string;
  kind: string;
  x: number;
  y: number;
  /** The source of at least one handoff: the system of record for that handoff's object. */
  systemOfRecord: boolean;
  /** Seen in n8n by the audit, absent from the contract. */
  discovered?: boolean;
}

export interface PlacedArrow {
  handoff: string;
  from: string;
  to: string;
  /** SVG path from the source's right edge to the target's left edge (or a loop for a self-handoff). */
  path: string;
  label: { x: number; y: number };
  /** A handoff n8n runs that the contract does not hold: the workflow behind it and its findings. */
  discovered?: { workflowId: string; workflow: string; findings: number; severity?: 'high' | 'medium' | 'low' };
}

export interface MapLayout {
  width: number;
  height: number;
  systems: PlacedSystem[];
  arrows: PlacedArrow[];
}

/** Longest path from a pure source, capped so a cycle (crm → board → crm) cannot loop forever. */
function columns(ids: string[], edges: { from: string; to: string }[]): Map<string, number> {
  const col = new Map(ids.map((id) => [id, 0]));
  for (let pass = 0; pass < ids.length; pass++) {
    let moved = false;
    for (const e of edges) {
      if (e.to === e.from) continue;
      const want = (col.get(e.from) ?? 0) + 1;
      if ((col.get(e.to) ?? 0) < want && want < ids.length) {
        col.set(e.to, want);
        moved = true;
      }
    }
    if (!moved) break;
  }
  return col;
}

export function layoutMap(contract: Contract, discovered?: DiscoveredMap): MapLayout {
  const extra = (discovered?.systems ?? []).filter((s) => !contract.systems[s.id]);
  const known = new Set([...Object.keys(contract.systems), ...extra.map((s) => s.id)]);
  const found = (discovered?.edges ?? []).filter((e) => known.has(e.from) && known.has(e.to));
  const col = columns(
    [...Object.keys(contract.systems), ...extra.map((s) => s.id)],
    [...contract.handoffs.flatMap((h) => h.targets.map((to) => ({ from: h.source, to }))), ...found],
  );
  const byColumn = new Map<number, string[]>();
  for (const [id, c] of col) byColumn.set(c, [...(byColumn.get(c) ?? []), id]);
  const sources = new Set(contract.handoffs.map((h) => h.source));
  const rowsMax = Math.max(1, ...[...byColumn.values()].map((v) => v.length));
  const colsMax = Math.max(1, ...byColumn.keys()) + 1;
  const height = BOX.margin * 2 + rowsMax * BOX.height + (rowsMax - 1) * BOX.rowGap + 30;
  const width = BOX.margin * 2 + colsMax * BOX.width + (colsMax - 1) * BOX.columnGap;

  const systems: PlacedSystem[] = [];
  for (const [c, ids] of byColumn) {
    // Centre short columns vertically so arrows stay short and level.
    const offset = ((rowsMax - ids.length) * (BOX.height + BOX.rowGap)) / 2;
    ids.forEach((id, r) => {
      const s = contract.systems[id] ?? extra.find((x) => x.id === id)!;
      systems.push({
        id,
        name: s.name,
        kind: s.kind,
        x: BOX.margin + c * (BOX.width + BOX.columnGap),
        y: BOX.margin + 20 + offset + r * (BOX.height + BOX.rowGap),
        systemOfRecord: sources.has(id),
        ...(contract.systems[id] ? {} : { discovered: true }),
      });
    });
  }
  const at = new Map(systems.map((s) => [s.id, s]));

  // Several handoffs between the same two systems fan out so each arrow can be clicked.
  const pairCount = new Map<string, number>();
  const arrows: PlacedArrow[] = [];
  for (const h of contract.handoffs) {
    for (const t of h.targets) {
      const a = at.get(h.source);
      const b = at.get(t);
      if (!a || !b) continue;
      const pair = [h.source, t].sort().join('\u0000');
      const n = pairCount.get(pair) ?? 0;
      pairCount.set(pair, n + 1);
      const spread = (n % 2 === 0 ? 1 : -1) * Math.ceil(n / 2) * 14;
      arrows.push({ handoff: h.id, from: h.source, to: t, ...arrowPath(a, b, spread) });
    }
  }
  for (const e of found) {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (!a || !b) continue;
    const pair = [e.from, e.to].sort().join('\u0000');
    const n = pairCount.get(pair) ?? 0;
    pairCount.set(pair, n + 1);
    const spread = (n % 2 === 0 ? 1 : -1) * Math.ceil(n / 2) * 14;
    arrows.push({
      handoff: e.workflowId,
      from: e.from,
      to: e.to,
      ...arrowPath(a, b, spread),
      discovered: { workflowId: e.workflowId, workflow: e.workflow, findings: e.findings, ...(e.severity ? { severity: e.severity } : {}) },
    });
  }
  return { width, height, systems, arrows };
}

function arrowPath(a: PlacedSystem, b: PlacedSystem, spread: number): { path: string; label: { x: number; y: number } } {
  if (a.id === b.id) {
    const x = a.x + BOX.width / 2;
    const y = a.y;
    return { path: `M ${x - 30} ${y} C ${x - 40} ${y - 50}, ${x + 40} ${y - 50}, ${x + 30} ${y - 2}`, label: { x, y: y - 42 } };
  }
  const forward = b.x > a.x;
  const sameColumn = b.x === a.x;
  const y1 = a.y + BOX.height / 2 + spread;
  const y2 = b.y + BOX.height / 2 + spread;
  if (sameColumn) {
    // Up or down within one column: leave and enter on the right side with a bow outwards.
    const x = a.x + BOX.width;
    const bow = x + 60 + Math.abs(spread);
    return { path: `M ${x} ${y1} C ${bow} ${y1}, ${bow} ${y2}, ${x + 2} ${y2}`, label: { x: bow - 10, y: (y1 + y2) / 2 } };
  }
  const x1 = forward ? a.x + BOX.width : a.x;
  const x2 = forward ? b.x - 2 : b.x + BOX.width + 2;
  const mid = (x1 + x2) / 2;
  // A backward arrow (a cycle) bends below the line so it never hides the forward one.
  const bend = forward ? 0 : 40;
  return {
    path: `M ${x1} ${y1} C ${mid} ${y1 + bend}, ${mid} ${y2 + bend}, ${x2} ${y2}`,
    label: { x: mid, y: (y1 + y2) / 2 + bend * 0.75 - 8 },
  };
}
