#!/usr/bin/env node
// `npm run bench`: builds, runs every benchmark, prints each table, and rewrites bench/RESULTS.md
// with the figures beside their peers or targets, the machine and the date.
const { spawnSync } = require('child_process');
const { existsSync, writeFileSync } = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** In the order RESULTS.md lists them; a missing file is reported, never skipped silently. */
const BENCHES = [
  'kickoff-n8n.ts',
  'gate-n8n.ts',
  'gate-queue-mode.ts',
  'ledger.ts',
  'ledger-postgres.ts',
  'growth.ts',
  'flood.ts',
  'preflight.ts',
  'collector.ts',
  'audit.ts',
  'retention.ts',
];

const only = process.argv.slice(2);
const selected = only.length ? BENCHES.filter((b) => only.some((o) => b.startsWith(o))) : BENCHES;

const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const sections = [];
let failed = 0;
for (const file of selected) {
  const full = path.join(__dirname, file);
  if (!existsSync(full)) {
    sections.push({ area: file, missing: true });
    console.log(`\n== ${file}: not written yet (listed in bench/run.js)`);
    continue;
  }
  const started = Date.now();
  const run = spawnSync(process.execPath, [tsx, full], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(
    run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('BENCH_RESULT '))
      .join('\n'),
  );
  const results = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('BENCH_RESULT '))
    .map((l) => JSON.parse(l.slice('BENCH_RESULT '.length)));
  if (run.status !== 0) {
    failed++;
    sections.push({ area: file, error: `exited with ${run.status}` });
  }
  for (const r of results) sections.push({ ...r, seconds: (Date.now() - started) / 1000 });
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  '# Benchmark results',
  '',
  `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.type()} ${os.release()}.`,
  'Each figure stands beside the peer measured in the same run, or the target from the design.',
  '',
];
for (const s of sections) {
  lines.push(`## ${s.area}`, '');
  if (s.missing) {
    lines.push(`_${s.area} is not written yet._`, '');
    continue;
  }
  if (s.error) {
    lines.push(`_The benchmark ${s.error}; see the run's output._`, '');
    continue;
  }
  lines.push('| figure | value | peer or target | meets |', '|---|---|---|---|');
  for (const r of s.rows)
    lines.push(`| ${r.figure} | ${r.value} | ${r.compare ?? ''} | ${r.meets === undefined ? '' : r.meets ? 'yes' : '**no**'} |`);
  for (const n of s.notes ?? []) lines.push('', `${n}`);
  lines.push('');
}
if (!only.length) {
  writeFileSync(path.join(__dirname, 'RESULTS.md'), `${lines.join('\n')}\n`);
  console.log('\nWrote bench/RESULTS.md');
} else if (process.env.BENCH_SECTIONS_OUT) {
  // A partial run leaves RESULTS.md alone; its sections can still be kept as Markdown (e.g. to show a
  // benchmark re-run beside the full run's results, saying so).
  writeFileSync(process.env.BENCH_SECTIONS_OUT, `${lines.slice(5).join('\n')}\n`);
  console.log(`\nWrote the sections to ${process.env.BENCH_SECTIONS_OUT}`);
}
process.exit(failed ? 1 : 0);
