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

function readRouteFile(): string {
  try {
    return readFileSync('/proc/net/route', 'utf8');
  } catch {
    return '';
  }
}
