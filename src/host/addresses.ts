import { networkInterfaces } from 'node:os';
import { canonicalIPv6 } from '../project/declarations.js';

export interface HostAddress {
  interface: string;
  address: string;
  family: 4 | 6;
  internal: boolean;
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
      });
    }
  }
  return out;
}
