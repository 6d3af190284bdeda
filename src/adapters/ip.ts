import { EnvironmentError } from '../errors.js';
import type { Family } from '../host/addresses.js';
import type { DefaultRoute } from '../host/routes.js';
import { canonicalIPv6 } from '../project/declarations.js';
import { firstErrorLine, type Runner } from './run.js';

export interface IpRule {
  priority: number;
  src?: string;
  srclen?: number;
  table?: string;
  protocol?: string;
}

/** The policy routing rules of one family (`ip -j -4 rule show`). */
export async function ipRules(run: Runner, family: Family): Promise<IpRule[]> {
  const result = await run(['ip', '-j', `-${family}`, 'rule', 'show']);
  if (result.exitCode !== 0) throw new EnvironmentError(`ip rule show failed: ${firstErrorLine(result.stderr)}`);
  return JSON.parse(result.stdout || '[]') as IpRule[];
}

/**
 * The IPv6 default routes of the main table, best first. A process, where
 * IPv4 reads /proc/net/route: /proc/net/ipv6_route lists every table's
 * routes, ipcompose's own among them, and does not say which table.
 */
export async function ipDefaultRoutes6(run: Runner): Promise<DefaultRoute[]> {
  const result = await run(['ip', '-j', '-6', 'route', 'show', 'table', 'main', 'default']);
  if (result.exitCode !== 0) throw new EnvironmentError(`ip -6 route show failed: ${firstErrorLine(result.stderr)}`);
  const routes = JSON.parse(result.stdout || '[]') as { gateway?: string; dev?: string; metric?: number }[];
  return routes
    .flatMap((r) => (r.gateway && r.dev ? [{ interface: r.dev, gateway: canonicalIPv6(r.gateway), metric: r.metric ?? 0 }] : []))
    .sort((a, b) => a.metric - b.metric);
}

/**
 * Several `ip` commands in one process (`ip -batch -`); stops at the first
 * failure. `-6` for IPv6, where `route flush table` would otherwise mean IPv4.
 */
export async function ipBatch(run: Runner, family: Family, commands: readonly string[]): Promise<void> {
  if (commands.length === 0) return;
  const result = await run(['ip', ...(family === 6 ? ['-6'] : []), '-batch', '-'], { input: `${commands.join('\n')}\n` });
  if (result.exitCode !== 0) {
    throw new EnvironmentError(`ip refused ipcompose's routing: ${firstErrorLine(result.stderr)}`, 'run ipcompose as root; check the gateway with `ip route`');
  }
}
