#!/usr/bin/env bash
# The simulated multi-address uplink: a peer host in network namespace
# ipc-peer, joined to this host by the veth pair ipc-up0 <-> up0.
#   host ipc-up0: 198.18.0.1/24 (primary) + 198.18.0.11-198.18.0.18 ("public" extras)
#                 fd18:0:0:1::1/64 (primary) + fd18:0:0:1::11-::18
#   peer up0:     198.18.0.254/24 and fd18:0:0:1::fe/64, running peer-server.mjs
#                 (HTTP on port 80, STUN on UDP 3478)
# A second "NIC" with its own gateway, for policy routing:
#   host ipc-up1: 198.18.1.2/24 (primary) + 198.18.1.11/24
#                 fd18:0:0:2::2/64 (primary) + fd18:0:0:2::11/64
#   peer2 (namespace ipc-peer2) up1: 198.18.1.1/24 and fd18:0:0:2::1/64, the
#                 gateways of that NIC
# Both peers also hold 198.18.99.1 and fd18:0:0:99::1 (a host "on the
# internet"); this host reaches it through the first peer unless policy
# routing says otherwise.
# GET /whoami on either answers with the peer's name and the source it sees.
# 198.18.0.0/15 is the benchmarking range and fd18:0:0:1::/64, fd18:0:0:2::/64
# and fd18:0:0:99::/64 are ULA prefixes; the script refuses to run if any of
# them is already in use on this machine.
# Usage: uplink.sh up | down
set -euo pipefail

ns=ipc-peer
host_if=ipc-up0
ns2=ipc-peer2
host_if2=ipc-up1
here=$(cd "$(dirname "$0")" && pwd)
pidfile=/run/ipcompose-peer.pid
pidfile2=/run/ipcompose-peer2.pid

up() {
  if ip link show "$host_if" >/dev/null 2>&1 && ip -6 addr show dev "$host_if2" 2>/dev/null | grep -q 'fd18:0:0:2::11/'; then
    ensure_server
    return 0
  fi
  # A partial bench (an older layout, an interrupted run): start again.
  down
  if ip -o addr show | grep -q ' 198\.18\.0\.'; then
    echo "uplink: 198.18.0.0/24 is already assigned on this machine; not touching it" >&2
    exit 3
  fi
  if ip -o route show 198.18.0.0/24 | grep -q .; then
    echo "uplink: a route for 198.18.0.0/24 already exists; not touching it" >&2
    exit 3
  fi
  if ip -o addr show | grep -q ' 198\.18\.\(1\|99\)\.' || ip -o route show 198.18.1.0/24 | grep -q . || ip -o route show 198.18.99.0/24 | grep -q .; then
    echo "uplink: 198.18.1.0/24 or 198.18.99.0/24 is already in use on this machine; not touching it" >&2
    exit 3
  fi
  for prefix in fd18:0:0:1 fd18:0:0:2 fd18:0:0:99; do
    if ip -o -6 addr show | grep -q " $prefix:" || ip -o -6 route show "$prefix::/64" | grep -q .; then
      echo "uplink: $prefix::/64 is already in use on this machine; not touching it" >&2
      exit 3
    fi
  done
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
  ip -n "$ns" addr add 198.18.99.1/32 dev lo
  ip -n "$ns" -6 addr add fd18:0:0:99::1/128 dev lo nodad

  ip netns add "$ns2"
  ip link add "$host_if2" type veth peer name up1 netns "$ns2"
  ip addr add 198.18.1.2/24 dev "$host_if2"
  ip addr add 198.18.1.11/24 dev "$host_if2"
  ip -6 addr add fd18:0:0:2::11/64 dev "$host_if2" nodad
  ip -6 addr add fd18:0:0:2::2/64 dev "$host_if2" nodad
  ip link set "$host_if2" up
  ip -n "$ns2" link set lo up
  ip -n "$ns2" addr add 198.18.1.1/24 dev up1
  ip -n "$ns2" -6 addr add fd18:0:0:2::1/64 dev up1 nodad
  ip -n "$ns2" link set up1 up
  ip -n "$ns2" addr add 198.18.99.1/32 dev lo
  ip -n "$ns2" -6 addr add fd18:0:0:99::1/128 dev lo nodad
  # This host's way to the "internet" host: the first uplink.
  ip route add 198.18.99.0/24 via 198.18.0.254 dev "$host_if"
  ip -6 route add fd18:0:0:99::/64 via fd18:0:0:1::fe dev "$host_if"
  ensure_server
}

ensure_server() {
  start_server "$ns" peer "$pidfile" 198.18.0.254
  start_server "$ns2" peer2 "$pidfile2" 198.18.1.1
}

start_server() { # namespace name pidfile address
  # Ask the server itself: a pidfile can outlive its process, and its number
  # can belong to another one by now.
  if ip netns exec "$1" curl -s --max-time 1 "http://$4/" >/dev/null 2>&1; then
    return 0
  fi
  PEER_NAME=$2 ip netns exec "$1" nohup node "$here/peer-server.mjs" >"/var/log/ipcompose-$2.log" 2>&1 &
  echo $! > "$3"
  for _ in $(seq 1 50); do
    if ip netns exec "$1" curl -s --max-time 1 "http://$4/" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "uplink: the $2 server did not start; see /var/log/ipcompose-$2.log" >&2
  exit 3
}

down() {
  for p in "$pidfile" "$pidfile2"; do
    if [ -f "$p" ]; then
      kill "$(cat "$p")" 2>/dev/null || true
      rm -f "$p"
    fi
  done
  ip route del 198.18.99.0/24 2>/dev/null || true
  ip -6 route del fd18:0:0:99::/64 2>/dev/null || true
  ip link del "$host_if" 2>/dev/null || true
  ip link del "$host_if2" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  ip netns del "$ns2" 2>/dev/null || true
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: uplink.sh up|down" >&2; exit 2 ;;
esac
