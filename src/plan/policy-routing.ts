import type { IpRule } from '../adapters/ip.js';

/**
 * Policy routing for an address on a NIC other than the one holding the
 * default route: traffic from the network's subnet must leave through that
 * NIC, or it goes out the wrong interface with a source the other side drops.
 * Per network one rule, `from <subnet> lookup <table>`; the table holds a
 * default route via the NIC's gateway and the NIC's own prefix. Addresses of
 * the host itself still resolve first (the local table), and traffic within
 * the bridge never reaches routing. Every rule and route carries protocol
 * 198, which marks it as ipcompose's.
 */
export const PROTO = '198';
export const PRIORITY = 20000;

export interface Routing {
  interface: string;
  gateway: string;
  table: number;
  /** The NIC's connected prefix (e.g. 203.0.113.0/29), reached directly. */
  prefix?: string;
}

export interface RoutedSubnet extends Routing {
  subnet: string;
}

/** One table per (NIC, gateway), numbered 20000–29999 so it stays clear of the usual ones. */
export function tableFor(iface: string, gateway: string): number {
  let hash = 2166136261;
  for (const ch of `${iface}|${gateway}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return 20000 + (hash % 10000);
}

/**
 * `ip -batch` commands that make ipcompose's rules exactly `wanted`, plus
 * keep rules for subnets in `keep` (live networks not part of this change).
 */
export function routingCommands(current: readonly IpRule[], wanted: readonly RoutedSubnet[], keep: ReadonlySet<string>): string[] {
  const ours = current.filter((r) => r.protocol === PROTO && r.src !== undefined);
  const key = (src: string, table: string) => `${src}|${table}`;
  const want = new Map(wanted.map((w) => [key(w.subnet, String(w.table)), `rule add from ${w.subnet} lookup ${w.table} priority ${PRIORITY} proto ${PROTO}`]));
  const wantedSubnets = new Set(wanted.map((w) => w.subnet));
  const have = new Set<string>();
  const stillUsed = new Set(wanted.map((w) => String(w.table)));
  const dropped = new Set<string>();
  const commands: string[] = [];
  for (const r of ours) {
    const src = `${r.src}/${r.srclen ?? 32}`;
    const k = key(src, r.table ?? '');
    if (want.has(k)) {
      have.add(k);
    } else if (wantedSubnets.has(src) || !keep.has(src)) {
      commands.push(`rule del from ${src} priority ${r.priority} lookup ${r.table} proto ${PROTO}`);
      dropped.add(r.table ?? '');
    } else {
      stillUsed.add(r.table ?? '');
    }
  }
  for (const [k, command] of want) if (!have.has(k)) commands.push(command);
  for (const table of dropped) if (table !== '' && !stillUsed.has(table)) commands.push(`route flush table ${table} proto ${PROTO}`);
  const tables = new Map(wanted.map((w) => [w.table, w]));
  for (const [table, w] of tables) {
    if (w.prefix) commands.push(`route replace ${w.prefix} dev ${w.interface} table ${table} proto ${PROTO}`);
    commands.push(`route replace default via ${w.gateway} dev ${w.interface} table ${table} proto ${PROTO}`);
  }
  return commands;
}
