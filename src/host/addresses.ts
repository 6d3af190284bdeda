import { networkInterfaces } from 'node:os';
import { canonicalIPv6 } from '../project/declarations.js';

export type Family = 4 | 6;

/** Whether an address or subnet, as text, belongs to this family. */
export const isFamily = (address: string, family: Family): boolean => (family === 6) === address.includes(':');

export interface HostAddress {
  interface: string;
  address: string;
  family: 4 | 6;
  internal: boolean;
  /** The connected prefix, e.g. 203.0.113.0/29 or 2001:db8:0:2::/64. */
  prefix?: string;
}

/** 203.0.113.5 with 29 bits -> 203.0.113.0/29. */
export function networkPrefix(address: string, bits: number): string {
  const n = address.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join('.')}/${bits}`;
}

/**
 * The addresses assigned to this host's interfaces. Read from the kernel via
 * Node (getifaddrs), so checking a declaration costs no process.
 */
/** 2001:db8:0:2::11 with 64 bits -> 2001:db8:0:2::/64. */
export function networkPrefix6(address: string, bits: number): string {
  const [head = '', tail] = address.split('::');
  const groups = (text: string) => (text === '' ? [] : text.split(':').map((g) => Number.parseInt(g, 16)));
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  const masked = all.map((g, i) => {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    return keep === 0 ? 0 : g & ((0xffff << (16 - keep)) & 0xffff);
  });
  return `${canonicalIPv6(masked.map((g) => g.toString(16)).join(':'))}/${bits}`;
}

export function hostAddresses(): HostAddress[] {
  const out: HostAddress[] = [];
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) {
      const family = a.family === 'IPv4' ? 4 : 6;
      out.push({
        interface: name,
        address: family === 6 ? canonicalIPv6(a.address.split('%')[0]!) : a.address,
        family,
        internal: a.internal,
        ...(a.cidr ? { prefix: (family === 4 ? networkPrefix : networkPrefix6)(a.address.split('%')[0]!, Number(a.cidr.split('/')[1])) } : {}),
      });
    }
  }
  return out;
}
