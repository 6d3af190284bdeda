#!/usr/bin/env bash
# Installs what the test bench needs on Debian 12: a current Docker engine and
# Compose v2 from Debian's unstable suite (pinned so nothing else comes from it),
# plus iptables, iproute2 and busybox-static from Debian 12 itself.
# Idempotent: a second run only checks.
set -euo pipefail

have_engine() {
  command -v dockerd >/dev/null 2>&1 &&
    [ -x /usr/libexec/docker/cli-plugins/docker-compose ] &&
    command -v iptables >/dev/null 2>&1 &&
    command -v busybox >/dev/null 2>&1 &&
    command -v docker >/dev/null 2>&1
}

if have_engine; then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive

# Reuse the mirror this machine already uses; never name a host here.
mirror=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || { echo "install-engine: no Debian mirror found in the apt sources" >&2; exit 3; }

cat > /etc/apt/sources.list.d/ipcompose-sid.sources <<SRC
Types: deb
URIs: $mirror
Suites: sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
cat > /etc/apt/preferences.d/ipcompose-sid <<PIN
Package: *
Pin: release n=sid
Pin-Priority: 50
PIN

apt-get update -qq
pkgs=(docker.io/sid docker-compose/sid)
# Debian splits the client into docker-cli in newer releases; take it from sid
# too so that client and engine match.
if apt-cache show docker-cli/sid >/dev/null 2>&1; then
  pkgs+=(docker-cli/sid)
fi
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" iptables iproute2 busybox-static nftables >/dev/null
have_engine || { echo "install-engine: the engine is still incomplete after apt-get" >&2; exit 3; }
