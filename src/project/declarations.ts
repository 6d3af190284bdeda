import { isIPv4, isIPv6 } from 'node:net';
import { UserError } from '../errors.js';
import type { ComposeModel } from './model.js';

export const EXTENSION = 'x-egress-ip';

/** One egress address, per family. At least one of the two is set. */
export interface EgressAddress {
  ipv4?: string;
  ipv6?: string;
  /** IPv4 gateway of the NIC holding ipv4, when it is not the host's default route. */
  gateway?: string;
}

export type Placement =
  | { kind: 'project' }
  | { kind: 'network'; network: string }
  | { kind: 'service'; service: string };

export interface Declaration {
  placement: Placement;
  /** Where it sits in the compose model, e.g. ['services', 'mail', 'x-egress-ip']. */
  keyPath: string[];
  address: EgressAddress;
}

/**
 * A problem with one declaration. It carries the key path and value so the
 * command can name the file it came from (see project/locate.ts).
 */
export class DeclarationError extends UserError {
  constructor(
    readonly keyPath: readonly string[],
    readonly value: unknown,
    readonly problem: string,
    hint?: string,
  ) {
    super(`${keyPath.join('.')}: ${showValue(value)} ${problem}`, hint);
  }
}

export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return '(empty)';
  return JSON.stringify(value);
}

/** Every x-egress-ip in the resolved model, checked for form (not for the host). */
export function readDeclarations(model: ComposeModel): Declaration[] {
  const found: Declaration[] = [];
  const add = (placement: Placement, keyPath: string[], value: unknown) => {
    found.push({ placement, keyPath, address: parseAddress(value, keyPath) });
  };
  if (EXTENSION in model) add({ kind: 'project' }, [EXTENSION], model[EXTENSION]);
  for (const [network, spec] of Object.entries(model.networks ?? {})) {
    if (spec && EXTENSION in spec) add({ kind: 'network', network }, ['networks', network, EXTENSION], spec[EXTENSION]);
  }
  for (const [service, spec] of Object.entries(model.services ?? {})) {
    if (spec && EXTENSION in spec) add({ kind: 'service', service }, ['services', service, EXTENSION], spec[EXTENSION]);
  }
  return found;
}

const FORMS_HINT = 'use an IPv4 address, an IPv6 address, or { ipv4: …, ipv6: … }';

export function parseAddress(value: unknown, keyPath: string[]): EgressAddress {
  if (value === null || value === undefined || value === '') {
    throw new DeclarationError(keyPath, value, 'is empty', `${FORMS_HINT}; if it comes from \${VAR}, set the variable`);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (isIPv4(text)) return { ipv4: text };
    if (isIPv6(text)) return { ipv6: canonicalIPv6(text) };
    throw new DeclarationError(keyPath, value, 'is not an IP address', FORMS_HINT);
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    const unknown = entries.map(([k]) => k).filter((k) => k !== 'ipv4' && k !== 'ipv6' && k !== 'gateway');
    if (unknown.length > 0) {
      throw new DeclarationError(keyPath, value, `has unknown key ${unknown.join(', ')}`, 'the keys are ipv4, ipv6 and gateway');
    }
    const out: EgressAddress = {};
    const v4 = (value as Record<string, unknown>).ipv4;
    const v6 = (value as Record<string, unknown>).ipv6;
    if (v4 !== undefined) {
      if (typeof v4 !== 'string' || !isIPv4(v4.trim())) {
        throw new DeclarationError([...keyPath, 'ipv4'], v4, 'is not an IPv4 address', 'write a dotted quad such as 203.0.113.5');
      }
      out.ipv4 = v4.trim();
    }
    if (v6 !== undefined) {
      if (typeof v6 !== 'string' || !isIPv6(v6.trim())) {
        throw new DeclarationError([...keyPath, 'ipv6'], v6, 'is not an IPv6 address', 'write an address such as 2001:db8::5');
      }
      out.ipv6 = canonicalIPv6(v6.trim());
    }
    if (out.ipv4 === undefined && out.ipv6 === undefined) {
      throw new DeclarationError(keyPath, value, 'names no address', FORMS_HINT);
    }
    const gateway = (value as Record<string, unknown>).gateway;
    if (gateway !== undefined) {
      if (typeof gateway !== 'string' || !isIPv4(gateway.trim()) || out.ipv4 === undefined) {
        throw new DeclarationError([...keyPath, 'gateway'], gateway, 'is not the IPv4 gateway of an ipv4 address', 'write { ipv4: 203.0.113.5, gateway: 203.0.113.1 }');
      }
      out.gateway = gateway.trim();
    }
    return out;
  }
  throw new DeclarationError(keyPath, value, 'is not an IP address', FORMS_HINT);
}

/** The one spelling of an IPv6 address (lower case, zeros compressed), so equal addresses compare equal. */
export function canonicalIPv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

export function sameAddress(a: EgressAddress | undefined, b: EgressAddress | undefined): boolean {
  return a?.ipv4 === b?.ipv4 && a?.ipv6 === b?.ipv6;
}

export function formatAddress(a: EgressAddress | undefined): string {
  if (!a) return 'primary address';
  return [a.ipv4, a.ipv6].filter((x) => x !== undefined).join(' + ');
}
