/**
 * The import picture of the monitor and the wire protocol (`npm run deps`, scripts/import-picture.mjs).
 * Imports run one way: down this list, never up it. A folder may import folders on its own line or
 * below it, never above; and no two folders may import each other (the script checks that, since
 * dependency-cruiser's rules speak of modules, not folder pairs).
 */

// Bottom (imports nothing of ours) to top (wires everything). A name is a folder under monitor/src/,
// except `protocol` (the wire protocol the nodes and the monitor share) and `(root)`, the files directly
// in monitor/src/ (server.ts, app.ts, cli.ts, index.ts).
const LAYERS = [
  // What the nodes and the monitor agree on: types, paths, limits, redaction. Imports nothing.
  ['protocol'],
  // Small helpers with no domain in them.
  ['util'],
  // What the monitor is told: its environment and the handoff contract.
  ['config', 'contract'],
  // The monitor's own vocabulary: the store's interfaces and the small types the store, the HTTP layer
  // and the workers all share (incident message, metric definitions, stall kinds, collector status).
  ['domain'],
  // Decisions and the services built on the store's interfaces: the claim rules, incidents (decisions
  // and the one service that opens them), the handoff-outcome fold, leadership.
  ['ledger', 'incidents', 'outcomes', 'leader'],
  // The SQLite and Postgres implementations of the domain's store interfaces.
  ['store'],
  // The workers and readers: collector, stall detectors, alerts, metrics, retention, replay, reports, audit.
  ['collector', 'stalls', 'alerts', 'metrics', 'retention', 'replay', 'report', 'audit'],
  // HTTP: the JSON API, then the dashboard pages (which reuse the API's auth and queue reading).
  ['api'],
  ['dashboard'],
  // server.ts wires it all; app.ts assembles the HTTP app; cli.ts and index.ts are the entry points.
  ['(root)'],
];

const pathOf = (name) => (name === 'protocol' ? '^protocol/' : name === '(root)' ? '^monitor/src/[^/]+$' : `^monitor/src/${name}/`);
const anyOf = (names) => names.map(pathOf).join('|');

const upwardRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `upward-from-layer-${i}`,
  comment: `${layer.join(', ')} must not import a layer above it (see LAYERS in .dependency-cruiser.cjs)`,
  severity: 'error',
  from: { path: anyOf(layer) },
  to: { path: anyOf(LAYERS.slice(i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...upwardRules,
    {
      name: 'protocol-imports-nothing',
      comment: 'The protocol is the ground both programs stand on: no monitor code, no node code, no package.',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { pathNot: '^protocol/' },
    },
    {
      name: 'monitor-imports-no-node-code',
      comment: 'The two programs share only the protocol; the monitor must not import the node pack.',
      severity: 'error',
      from: { path: '^monitor/' },
      to: { path: '^(nodes|credentials)/' },
    },
    {
      name: 'nodes-import-no-monitor-code',
      comment: 'The node pack ships without the monitor; it must not import it.',
      severity: 'error',
      from: { path: '^(nodes|credentials)/' },
      to: { path: '^monitor/' },
    },
    {
      name: 'no-circular',
      comment: 'A module must not reach itself through its imports.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};

// For scripts/import-picture.mjs, which prints the order; not enumerable, so dependency-cruiser's own
// validation of this file never sees it.
Object.defineProperty(module.exports, 'LAYERS', { value: LAYERS, enumerable: false });
