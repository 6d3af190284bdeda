#!/usr/bin/env bash
# The main job on a fresh Debian/Ubuntu machine, as root: prepare the test
# bench (engine, image, simulated uplink), build ipcompose, bring this stack
# up through it and show the egress address at work in both directions.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

bash "$repo/test/bench/setup.sh"
(cd "$repo" && npm ci --no-audit --no-fund >/dev/null && npm run build >/dev/null)

ipcompose() { "$repo/bin/ipcompose" "$@"; }
cd "$here"
export EGRESS_IP=${EGRESS_IP:-198.18.0.11}

ipcompose up -d
echo
echo "outbound: the peer host sees the container's connection coming from:"
docker exec quickstart-web-1 timeout 5 wget -qO- http://198.18.0.254/
echo "inbound: port 8080 on $EGRESS_IP answers:"
ip netns exec ipc-peer curl -s -m 3 "http://$EGRESS_IP:8080/"
echo "inbound: port 8080 on the primary address 198.18.0.1 is refused:"
ip netns exec ipc-peer curl -s -m 3 http://198.18.0.1:8080/ || echo "(refused, as it should be)"
echo
if [ "${KEEP:-}" = "" ]; then
  ipcompose down -t 0
else
  echo "left running (KEEP=1); stop it with: $repo/bin/ipcompose --project-directory $here down"
fi
