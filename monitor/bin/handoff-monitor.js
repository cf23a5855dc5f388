#!/usr/bin/env node
// Entry point of the `handoff-monitor` command; the compiled CLI lives in dist/ (built by `npm run build`).
require('../dist/monitor/src/cli.js').main(process.argv);
