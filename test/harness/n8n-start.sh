#!/usr/bin/env bash
# Starts a throwaway n8n (pinned, Node 24) with this repository's node package installed as a
# community package, on a free loopback port (or HANDOFF_N8N_PORT). Ctrl-C stops it.
# Provisioning and packing are cached; see provision-n8n.sh and pack.ts.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec node_modules/.bin/tsx test/harness/n8n-start.ts
