#!/usr/bin/env bash
# Prepares this Debian/Ubuntu machine as ipcompose's test bench, as root:
# engine + Compose v2, a running dockerd, the local test image and the
# simulated multi-address uplink. Safe to run again.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then
  echo "setup.sh: run as root (it installs packages and creates network namespaces)" >&2
  exit 3
fi
bash "$here/install-engine.sh"
bash "$here/start-engine.sh"
bash "$here/build-image.sh"
bash "$here/uplink.sh" up
