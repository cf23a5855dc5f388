#!/usr/bin/env node
// Runs a suite of the project's tests: type-check, build, then the chosen jest projects.
// `npm test` runs `all`: every layer a user's confidence rests on (unit → browser).
const { spawnSync } = require('child_process');
const path = require('path');

const SUITES = {
  unit: ['unit'],
  monitor: ['monitor'],
  engine: ['engine'],
  e2e: ['e2e'],
  browser: ['browser'],
  all: ['unit', 'monitor', 'engine', 'e2e', 'browser'],
};

const suite = process.argv[2] ?? 'all';
const projects = SUITES[suite];
if (!projects) {
  console.error(`Unknown test suite "${suite}". Use one of: ${Object.keys(SUITES).join(', ')}.`);
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

// Type-checks everything, the *.test.ts files included (ts-jest only transpiles them; the build's tsconfig.json leaves them out).
run(bin('tsc'), ['-p', 'tsconfig.test.json']);
// What ships must pass n8n's community-node lint, as n8n's own verification would check it; the monitor,
// the tests and the benchmarks pass ESLint's and typescript-eslint's recommended rules (eslint.config.mjs).
if (suite === 'all') run('npm', ['run', '--silent', 'lint']);
// One format everywhere (Prettier, .prettierrc.json); `npm run format` applies it.
if (suite === 'all') run('npm', ['run', '--silent', 'format:check']);
// Imports run one way (layers in .dependency-cruiser.cjs): no upward import, no two folders importing
// each other, no cycle, and the two programs share only protocol/.
if (suite === 'all') run('npm', ['run', '--silent', 'deps']);
run('npm', ['run', '--silent', 'build']);
run(bin('jest'), ['--selectProjects', ...projects, ...process.argv.slice(3)]);
