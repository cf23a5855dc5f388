// Copies what n8n reads beside the compiled JavaScript: node and credential icons, and each node's
// codex file (X.node.json next to X.node.js: categories, aliases for the nodes panel search and the
// documentation link). Paths are relative to the working directory, so `gulp --cwd <dir>` builds
// another tree (test/unit/codex.test.ts does, into a temporary folder).
const path = require('path');
const { parallel, task, src, dest } = require('gulp');

function copyNodeAssets() {
  return src(path.resolve('nodes', '**', '*.{png,svg,node.json}'), { encoding: false }).pipe(dest(path.resolve('dist', 'nodes')));
}

function copyCredentialIcons() {
  return src(path.resolve('credentials', '**', '*.{png,svg}'), { encoding: false }).pipe(dest(path.resolve('dist', 'credentials')));
}

task('build:icons', parallel(copyNodeAssets, copyCredentialIcons));
