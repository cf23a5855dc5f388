#!/usr/bin/env node
// The import picture of the monitor and the protocol (`npm run deps`): imports that run upward against
// the layer order in .dependency-cruiser.cjs, folders that import each other, circular module
// dependencies, imports between the node pack and the monitor that bypass the protocol, and the largest folder's share of the monitor's source lines. Exits 1 when any of the
// first three is not zero, so `npm test` fails on a violation.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { LAYERS } = require(path.join(root, '.dependency-cruiser.cjs'));
const MONITOR = 'monitor/src/';
const targets = ['monitor/src', 'protocol', 'nodes', 'credentials'].filter((t) => {
  try {
    return statSync(path.join(root, t)).isDirectory();
  } catch {
    return false;
  }
});

const cruise = spawnSync(
  path.join(root, 'node_modules', '.bin', 'depcruise'),
  ['--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...targets],
  { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
);
if (cruise.status !== 0 && !cruise.stdout.startsWith('{')) {
  process.stderr.write(cruise.stderr);
  process.exit(2);
}
const result = JSON.parse(cruise.stdout);

/** The folder a module belongs to in the layer picture: a top-level folder of monitor/src, `(root)` or `protocol`. */
function folderOf(source) {
  if (source.startsWith('protocol/')) return 'protocol';
  if (!source.startsWith(MONITOR)) return undefined;
  const rest = source.slice(MONITOR.length);
  return rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : '(root)';
}
const short = (p) => (p.startsWith(MONITOR) ? p.slice(MONITOR.length) : p);
const typeOnly = (d) => (d.dependencyTypes.some((t) => t.startsWith('type-only')) ? ' (type)' : '');

const violations = result.summary.violations;
const upward = violations.filter((v) => v.rule.name.startsWith('upward-') || v.rule.name === 'protocol-imports-nothing');
const crossing = violations.filter((v) => v.rule.name.endsWith('-no-node-code') || v.rule.name.endsWith('-no-monitor-code'));
const cycles = violations.filter((v) => v.rule.name === 'no-circular');

// Folder pairs: who imports whom, to find the ones that import each other.
const edges = new Map();
for (const m of result.modules) {
  const from = folderOf(m.source);
  if (!from) continue;
  for (const d of m.dependencies) {
    const to = folderOf(d.resolved);
    if (!to || to === from) continue;
    const key = `${from}\u0000${to}`;
    if (!edges.has(key)) edges.set(key, []);
    edges.get(key).push(`${short(m.source)} -> ${short(d.resolved)}${typeOnly(d)}`);
  }
}
const mutual = [];
for (const key of edges.keys()) {
  const [a, b] = key.split('\u0000');
  if (a < b && edges.has(`${b}\u0000${a}`)) mutual.push([a, b]);
}

// Source lines per folder of monitor/src (tests live in test/, so every .ts here ships).
function linesUnder(dir) {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) n += linesUnder(p);
    else if (entry.name.endsWith('.ts')) n += readFileSync(p, 'utf8').split('\n').length - 1;
  }
  return n;
}
const srcDir = path.join(root, MONITOR);
const lines = new Map();
for (const entry of readdirSync(srcDir, { withFileTypes: true })) {
  const name = entry.isDirectory() ? entry.name : '(root)';
  if (!entry.isDirectory() && !entry.name.endsWith('.ts')) continue;
  const n = entry.isDirectory()
    ? linesUnder(path.join(srcDir, entry.name))
    : readFileSync(path.join(srcDir, entry.name), 'utf8').split('\n').length - 1;
  lines.set(name, (lines.get(name) ?? 0) + n);
}
const total = [...lines.values()].reduce((a, b) => a + b, 0);
const bySize = [...lines.entries()].sort((a, b) => b[1] - a[1]);
const pct = (n) => `${((100 * n) / total).toFixed(1)}%`;

const out = [];
out.push(
  `Import picture of ${targets.join(' + ')} (${result.summary.totalCruised} modules, ${result.summary.totalDependenciesCruised} imports)`,
);
out.push(`Layers, bottom to top: ${LAYERS.map((l) => l.join(' ')).join('  <  ')}`);
out.push('');
out.push(`Imports that run upward: ${upward.length}`);
for (const v of upward) out.push(`  ${short(v.from)} -> ${short(v.to)}`);
out.push(`Imports of the other program's code (not through the protocol): ${crossing.length}`);
const crossingByTarget = new Map();
for (const v of crossing) crossingByTarget.set(v.to, [...(crossingByTarget.get(v.to) ?? []), short(v.from)]);
for (const [to, froms] of crossingByTarget) out.push(`  -> ${to} from ${froms.length}: ${froms.join(', ')}`);
out.push(`Folders that import each other: ${mutual.length}`);
for (const [a, b] of mutual) {
  out.push(`  ${a} <-> ${b}`);
  for (const e of [...edges.get(`${a}\u0000${b}`), ...edges.get(`${b}\u0000${a}`)]) out.push(`    ${e}`);
}
out.push(`Circular module dependencies: ${cycles.length}`);
for (const v of cycles) out.push(`  ${[short(v.from), ...(v.cycle ?? []).map((c) => short(c.name ?? c))].join(' -> ')}`);
out.push('');
out.push(`Largest folder: ${bySize[0][0]}, ${bySize[0][1]} of ${total} source lines in monitor/src (${pct(bySize[0][1])})`);
out.push(
  `  next: ${bySize
    .slice(1, 5)
    .map(([n, l]) => `${n} ${l} (${pct(l)})`)
    .join(', ')}`,
);
console.log(out.join('\n'));
process.exit(upward.length + crossing.length + mutual.length + cycles.length > 0 ? 1 : 0);
