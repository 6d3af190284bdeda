#!/usr/bin/env bash
# Starts dockerd in the background (no systemd on the bench) and waits until
# the API answers. Does nothing when an engine already answers.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  exit 0
fi
mkdir -p /var/log
nohup dockerd >/var/log/ipcompose-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    exit 0
  fi
  sleep 1
done
echo "start-engine: dockerd did not answer within 60 s; see /var/log/ipcompose-dockerd.log" >&2
tail -20 /var/log/ipcompose-dockerd.log >&2 || true
exit 3
