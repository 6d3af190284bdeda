#!/usr/bin/env bash
# The simulated multi-address uplink: a peer host in network namespace
# ipc-peer, joined to this host by the veth pair ipc-up0 <-> up0.
#   host ipc-up0: 198.18.0.1/24 (primary) + 198.18.0.11-198.18.0.18 ("public" extras)
#                 fd18:0:0:1::1/64 (primary) + fd18:0:0:1::11-::18
#   peer up0:     198.18.0.254/24 and fd18:0:0:1::fe/64, running peer-server.mjs
#                 (HTTP on port 80, STUN on UDP 3478)
# 198.18.0.0/15 is the benchmarking range and fd18:0:0:1::/64 a ULA prefix;
# the script refuses to run if either is already in use on this machine.
# Usage: uplink.sh up | down
set -euo pipefail

ns=ipc-peer
host_if=ipc-up0
here=$(cd "$(dirname "$0")" && pwd)
pidfile=/run/ipcompose-peer.pid

up() {
  if ip link show "$host_if" >/dev/null 2>&1; then
    ensure_server
    return 0
  fi
  if ip -o addr show | grep -q ' 198\.18\.0\.'; then
    echo "uplink: 198.18.0.0/24 is already assigned on this machine; not touching it" >&2
    exit 3
  fi
  if ip -o route show 198.18.0.0/24 | grep -q .; then
    echo "uplink: a route for 198.18.0.0/24 already exists; not touching it" >&2
    exit 3
  fi
  if ip -o -6 addr show | grep -q ' fd18:0:0:1:' || ip -o -6 route show fd18:0:0:1::/64 | grep -q .; then
    echo "uplink: fd18:0:0:1::/64 is already in use on this machine; not touching it" >&2
    exit 3
  fi
  ip netns add "$ns"
  ip link add "$host_if" type veth peer name up0 netns "$ns"
  ip addr add 198.18.0.1/24 dev "$host_if"
  for i in $(seq 11 18); do
    ip addr add "198.18.0.$i/24" dev "$host_if"
  done
  # nodad: the addresses are ours alone on this link; skip duplicate detection's
  # delay. The primary goes last: Linux prefers the newest address of a prefix
  # as the source.
  for i in $(seq 11 18); do
    ip -6 addr add "fd18:0:0:1::$i/64" dev "$host_if" nodad
  done
  ip -6 addr add fd18:0:0:1::1/64 dev "$host_if" nodad
  ip link set "$host_if" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add 198.18.0.254/24 dev up0
  ip -n "$ns" -6 addr add fd18:0:0:1::fe/64 dev up0 nodad
  ip -n "$ns" link set up0 up
  ensure_server
}

ensure_server() {
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    return 0
  fi
  ip netns exec "$ns" nohup node "$here/peer-server.mjs" >/var/log/ipcompose-peer.log 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 50); do
    if ip netns exec "$ns" curl -s --max-time 1 http://198.18.0.254/ >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "uplink: the peer server did not start; see /var/log/ipcompose-peer.log" >&2
  exit 3
}

down() {
  if [ -f "$pidfile" ]; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  fi
  ip link del "$host_if" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: uplink.sh up|down" >&2; exit 2 ;;
esac
