/**
 * Where the workflow map puts things: systems in columns by how far downstream they sit (a system
 * that is only a source is in the first column), handoffs as arrows from the source's box to each
 * target's box. Pure geometry, so the view only draws.
 */
import type { Contract } from '../contract/schema';

export const BOX = { width: 180, height: 64, columnGap: 250, rowGap: 44, margin: 36 };

export interface PlacedSystem {
  id: string;
  name: string;
  kind: string;
  x: number;
  y: number;
  /** The source of at least one handoff: the system of record for that handoff's object. */
  systemOfRecord: boolean;
}

export interface PlacedArrow {
  handoff: string;
  from: string;
  to: string;
  /** SVG path from the source's right edge to the target's left edge (or a loop for a self-handoff). */
  path: string;
  label: { x: number; y: number };
}

export interface MapLayout {
  width: number;
  height: number;
  systems: PlacedSystem[];
  arrows: PlacedArrow[];
}

/** Longest path from a pure source, capped so a cycle (crm → board → crm) cannot loop forever. */
function columns(contract: Contract): Map<string, number> {
  const ids = Object.keys(contract.systems);
  const col = new Map(ids.map((id) => [id, 0]));
  for (let pass = 0; pass < ids.length; pass++) {
    let moved = false;
    for (const h of contract.handoffs) {
      for (const t of h.targets) {
        if (t === h.source) continue;
        const want = (col.get(h.source) ?? 0) + 1;
        if ((col.get(t) ?? 0) < want && want < ids.length) {
          col.set(t, want);
          moved = true;
        }
      }
    }
    if (!moved) break;
  }
  return col;
}

export function layoutMap(contract: Contract): MapLayout {
  const col = columns(contract);
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
      const s = contract.systems[id];
      systems.push({
        id,
        name: s.name,
        kind: s.kind,
        x: BOX.margin + c * (BOX.width + BOX.columnGap),
        y: BOX.margin + 20 + offset + r * (BOX.height + BOX.rowGap),
        systemOfRecord: sources.has(id),
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
