import { networkInterfaces } from 'node:os';
import { canonicalIPv6 } from '../project/declarations.js';

export interface HostAddress {
  interface: string;
  address: string;
  family: 4 | 6;
  internal: boolean;
  /** The connected prefix, e.g. 203.0.113.0/29. */
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
        ...(family === 4 && a.cidr ? { prefix: networkPrefix(a.address, Number(a.cidr.split('/')[1])) } : {}),
      });
    }
  }
  return out;
}
