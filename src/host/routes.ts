import { readFileSync } from 'node:fs';

export interface DefaultRoute {
  interface: string;
  gateway: string;
  metric: number;
}

/**
 * The IPv4 default routes of the main table, best first, from
 * /proc/net/route (proc(5)): no process needed.
 */
export function defaultRoutes(table = readRouteFile()): DefaultRoute[] {
  const routes: DefaultRoute[] = [];
  for (const line of table.split('\n').slice(1)) {
    const [iface, destination, gateway, , , , metric, mask] = line.trim().split(/\s+/);
    if (!iface || destination !== '00000000' || mask !== '00000000' || !gateway) continue;
    const n = Number.parseInt(gateway, 16);
    // Host byte order: little-endian on the machines ipcompose runs on.
    routes.push({ interface: iface, gateway: [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.'), metric: Number(metric) });
  }
  return routes.sort((a, b) => a.metric - b.metric);
}

/**
 * The IPv6 default routes of the main table, best first, from
 * /proc/net/ipv6_route: destination, prefix length, source, source length,
 * next hop, metric, refcount, use, flags, interface, in hex. The kernel's
 * unreachable default (flag RTF_REJECT, 0x0200) is no route.
 */
export function defaultRoutes6(table = readRouteFile('/proc/net/ipv6_route')): DefaultRoute[] {
  const routes: DefaultRoute[] = [];
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const [destination, length, , , nextHop, metric, , , flags, iface] = fields;
    if (!iface || !nextHop || !/^0+$/.test(destination ?? '') || length !== '00' || Number.parseInt(flags ?? '0', 16) & 0x0200) continue;
    const gateway = nextHop.match(/.{4}/g)!.map((group) => Number.parseInt(group, 16).toString(16)).join(':');
    routes.push({ interface: iface, gateway, metric: Number.parseInt(metric ?? '0', 16) });
  }
  return routes.sort((a, b) => a.metric - b.metric);
}

function readRouteFile(path = '/proc/net/route'): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
