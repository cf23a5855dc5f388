#!/usr/bin/env bash
# Runs a service and ties its life to the process that started it.
# Usage: watchdog.sh <owner-pid> <command> [args...]
#
# Why: the harness starts services in their own process group so it can stop them (and their
# children) by group id. If the owner dies by SIGKILL or a crash, no exit handler runs; this
# loop notices the owner is gone and takes the whole group down, so no n8n is left behind.
owner=$1
shift
"$@" &
service=$!
# A graceful stop from the owner: pass it on to the service and wait for it.
trap 'kill -TERM "$service" 2>/dev/null' TERM INT
while kill -0 "$service" 2>/dev/null; do
  if ! kill -0 "$owner" 2>/dev/null; then
    kill -TERM "$service" 2>/dev/null
    sleep 5
    kill -KILL 0
  fi
  sleep 1 &
  wait $!
done
wait "$service"
status=$?
# Whatever the service left behind in the group (e.g. a task runner) goes with it; not us, though.
trap '' TERM
kill -TERM 0 2>/dev/null
exit $status
