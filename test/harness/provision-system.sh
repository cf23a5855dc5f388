#!/usr/bin/env bash
# Installs the Debian packages the tests need beyond Node:
#   provision-system.sh            `prometheus` (for `promtool check metrics|rules` and a real
#                                  Prometheus scraping the monitor) — the default, as before;
#   provision-system.sh chromium   Debian's `chromium` at /usr/bin/chromium, which the browser
#                                  tests drive through playwright-core (no browser download);
#   provision-system.sh nginx      Debian's `nginx` at /usr/sbin/nginx, the TLS-terminating reverse
#                                  proxy of test/browser/proxy.test.ts (which starts its own nginx
#                                  on free ports; Debian's nginx service is not started).
# Idempotent: does nothing when the tools are already there; `apt-get update` runs at most once per call.
set -euo pipefail

log() { printf '[provision-system] %s\n' "$*" >&2; }

WHAT="${1:-prometheus}"
case "$WHAT" in
  prometheus)
    PACKAGE=prometheus
    present() { command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; }
    ;;
  chromium)
    PACKAGE=chromium
    present() { [ -x /usr/bin/chromium ]; }
    ;;
  nginx)
    PACKAGE=nginx
    present() { [ -x /usr/sbin/nginx ]; }
    ;;
  *)
    log "unknown tool \"$WHAT\"; use prometheus (default), chromium or nginx"
    exit 2
    ;;
esac

if present; then
  exit 0
fi

# Parallel jest workers may all ask at once; apt holds its own lock but fails instead of waiting.
LOCK="${TMPDIR:-/tmp}/handoff-guard-provision-system.lock"
exec 9>"$LOCK"
flock 9

# Another caller may have finished while we waited for the lock.
if present; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    log "need root (or sudo) to apt-get install $PACKAGE; install it by hand: apt-get install $PACKAGE"
    exit 1
  fi
fi

log "installing Debian's $PACKAGE package"
export DEBIAN_FRONTEND=noninteractive
# Installing nginx would start Debian's nginx service on port 80 (and fail the install when that
# port is taken). The tests start their own: tell invoke-rc.d not to start services meanwhile,
# unless the machine already has such a policy (Docker images do).
POLICY=/usr/sbin/policy-rc.d
if [ "$WHAT" = nginx ] && [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\n# handoff-guard provision-system.sh: no service starts while nginx installs\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod 755 "$POLICY"
  trap '$SUDO rm -f "$POLICY"' EXIT
fi
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "$PACKAGE" >&2

if [ "$WHAT" = chromium ]; then
  present || { log "/usr/bin/chromium is still missing after the install"; exit 1; }
  log "$(/usr/bin/chromium --version 2>&1 | head -n1)"
elif [ "$WHAT" = nginx ]; then
  present || { log "/usr/sbin/nginx is still missing after the install"; exit 1; }
  log "$(/usr/sbin/nginx -v 2>&1 | head -n1)"
else
  command -v promtool >/dev/null 2>&1 || { log "promtool is still missing after the install"; exit 1; }
  log "promtool $(promtool --version 2>&1 | head -n1)"
fi
