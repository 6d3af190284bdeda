import { EnvironmentError } from '../errors.js';
import type { Family } from '../host/addresses.js';
import { firstErrorLine, type Runner } from './run.js';

export interface SnatState {
  /** The rule `-s <subnet> ! -o <bridge> -j SNAT --to-source <address>` exists in POSTROUTING. */
  present: boolean;
  /** It comes before every MASQUERADE rule that would also match the subnet. */
  first: boolean;
}

/**
 * Finds the SNAT rule Docker installs for a network with host_ipv4/host_ipv6
 * (libnetwork's bridge driver: `-s <subnet> ! -o <bridge> -j SNAT
 * --to-source <ip>` in nat POSTROUTING) and whether a MASQUERADE for the same
 * traffic comes before it.
 */
export function snatState(rules: readonly string[], subnet: string, bridge: string, address: string): SnatState {
  const postrouting = rules.filter((r) => r.startsWith('-A POSTROUTING '));
  const isOurs = (r: string) =>
    r.includes(`-s ${subnet} `) && r.includes(`! -o ${bridge} `) && r.includes('-j SNAT') && new RegExp(`--to-source ${escape(address)}(\\s|$)`).test(r);
  const index = postrouting.findIndex(isOurs);
  if (index < 0) return { present: false, first: false };
  const masqueradeBefore = postrouting
    .slice(0, index)
    .some((r) => r.includes('-j MASQUERADE') && (!/ -s /.test(r) || r.includes(`-s ${subnet} `)));
  return { present: true, first: !masqueradeBefore };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Which iptables the host runs: the nf_tables variant or the legacy one (`iptables --version`). */
export async function iptablesVariant(run: Runner): Promise<{ version: string; variant: 'nf_tables' | 'legacy' | 'unknown' }> {
  const result = await run(['iptables', '--version']);
  const text = result.stdout.trim();
  const variant = /nf_tables/.test(text) ? 'nf_tables' : /legacy/.test(text) ? 'legacy' : 'unknown';
  return { version: text, variant };
}

/** The nat table's rules as saved text, and whether our chain exists in it. */
export interface NatSnapshot {
  lines: string[];
  hasChain: boolean;
}

export async function natSnapshot(run: Runner, family: Family, chain: string): Promise<NatSnapshot> {
  const tool = family === 4 ? 'iptables-save' : 'ip6tables-save';
  const result = await run([tool, '-t', 'nat']);
  if (result.exitCode !== 0) {
    throw new EnvironmentError(`${tool} failed: ${firstErrorLine(result.stderr)}`, /denied|not permitted/i.test(result.stderr) ? 'run ipcompose as root' : undefined);
  }
  const all = result.stdout.split('\n');
  return { lines: all.filter((l) => l.startsWith('-A ')), hasChain: all.includes(`:${chain} - [0:0]`) || all.some((l) => l.startsWith(`:${chain} `)) };
}

/**
 * Applies one batch atomically, keeping every other rule (--noflush) and
 * waiting for the xtables lock instead of failing when Docker holds it.
 */
export async function restoreBatch(run: Runner, family: Family, input: string): Promise<void> {
  const tool = family === 4 ? 'iptables-restore' : 'ip6tables-restore';
  const result = await run([tool, '--noflush', '--wait', '5'], { input });
  if (result.exitCode !== 0) {
    throw new EnvironmentError(`${tool} refused ipcompose's rules: ${firstErrorLine(result.stderr)}`, 'run ipcompose as root; `ipcompose doctor` checks the firewall');
  }
}
