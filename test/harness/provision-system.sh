#!/usr/bin/env bash
# Installs the Debian packages the tests need beyond Node: `prometheus` (for `promtool check
# metrics|rules` and a real Prometheus scraping the monitor). Idempotent: does nothing when
# promtool and prometheus are already on PATH; `apt-get update` runs at most once per call.
set -euo pipefail

log() { printf '[provision-system] %s\n' "$*" >&2; }

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  exit 0
fi

# Parallel jest workers may all ask at once; apt holds its own lock but fails instead of waiting.
LOCK="${TMPDIR:-/tmp}/handoff-guard-provision-system.lock"
exec 9>"$LOCK"
flock 9

# Another caller may have finished while we waited for the lock.
if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    log "need root (or sudo) to apt-get install prometheus; install it by hand: apt-get install prometheus"
    exit 1
  fi
fi

log "installing Debian's prometheus package (promtool + prometheus)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends prometheus >&2

command -v promtool >/dev/null 2>&1 || { log "promtool is still missing after the install"; exit 1; }
log "promtool $(promtool --version 2>&1 | head -n1)"
