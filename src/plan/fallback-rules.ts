/**
 * ipcompose's own SNAT, for networks where Docker's host_ipv4/host_ipv6
 * options cannot serve (a running network that must not be recreated, an
 * engine without host_ipv6). One chain in the nat table, jumped to from the
 * first position of POSTROUTING, one commented rule per network and family.
 * Pure: builds iptables-restore input from what iptables-save printed.
 */
export const CHAIN = 'IPCOMPOSE-POSTROUTING';

export interface FallbackRule {
  project: string;
  network: string;
  subnet: string;
  bridge: string;
  address: string;
}

export function ruleComment(project: string, network: string): string {
  return `ipcompose project=${project} network=${network}`;
}

/** The rule as iptables-save prints it (so desired and current compare as text). */
export function ruleLine(rule: FallbackRule): string {
  return `-A ${CHAIN} -s ${rule.subnet} ! -o ${rule.bridge} -m comment --comment "${ruleComment(rule.project, rule.network)}" -j SNAT --to-source ${rule.address}`;
}

/** The rules of our chain in `iptables-save -t nat` output, in order. */
export function chainRules(saved: readonly string[]): string[] {
  return saved.filter((l) => l.startsWith(`-A ${CHAIN} `));
}

/** The bridge a chain rule names in `! -o <bridge>`. */
export function ruleBridge(line: string): string | undefined {
  return / ! -o (\S+) /.exec(line)?.[1];
}

export function projectOf(line: string): string | undefined {
  return /--comment "ipcompose project=(\S+) network=/.exec(line)?.[1];
}

export function jumpIsFirst(saved: readonly string[]): boolean {
  const postrouting = saved.filter((l) => l.startsWith('-A POSTROUTING '));
  return postrouting[0] === `-A POSTROUTING -j ${CHAIN}` && postrouting.filter((l) => l === `-A POSTROUTING -j ${CHAIN}`).length === 1;
}

/**
 * iptables-restore --noflush input that makes our chain hold exactly
 * `rules` for `projects` (other projects' rules are kept) and puts the jump
 * first in POSTROUTING; undefined when nothing would change. Declaring the
 * chain (`:CHAIN - [0:0]`) flushes it inside the same atomic batch.
 */
export function restoreInput(
  saved: readonly string[],
  hasChain: boolean,
  projects: readonly string[],
  rules: readonly FallbackRule[],
  liveBridges?: ReadonlySet<string>,
): string | undefined {
  const current = chainRules(saved);
  // A rule matches on the source subnet, and Docker hands a removed network's
  // subnet to the next one: a rule whose bridge is gone would SNAT a stranger.
  const kept = current.filter((l) => {
    const p = projectOf(l);
    const bridge = ruleBridge(l);
    return (p === undefined || !projects.includes(p)) && (!liveBridges || (bridge !== undefined && liveBridges.has(bridge)));
  });
  const desired = [...kept, ...rules.map(ruleLine)];
  const sameRules = desired.length === current.length && desired.every((l, i) => l === current[i]);
  const jumps = saved.filter((l) => l === `-A POSTROUTING -j ${CHAIN}`).length;
  const first = jumpIsFirst(saved);
  if (desired.length === 0) {
    // Nothing left for the chain: take it away with its jump, so the nat
    // table is as it was before ipcompose.
    if (!hasChain) return undefined;
    return ['*nat', `:${CHAIN} - [0:0]`, ...Array.from({ length: jumps }, () => `-D POSTROUTING -j ${CHAIN}`), `-X ${CHAIN}`, 'COMMIT', ''].join('\n');
  }
  if (sameRules && first && hasChain) return undefined;
  const lines = ['*nat', `:${CHAIN} - [0:0]`, ...desired];
  if (!first) {
    for (let i = 0; i < jumps; i++) lines.push(`-D POSTROUTING -j ${CHAIN}`);
    lines.push(`-I POSTROUTING 1 -j ${CHAIN}`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** ipcompose's rule for a subnet: present in the chain, and the chain reached before any MASQUERADE for it. */
export function fallbackState(saved: readonly string[], subnet: string, bridge: string, address: string): { present: boolean; first: boolean } {
  const present = chainRules(saved).some((l) => l.includes(` -s ${subnet} `) && l.includes(`! -o ${bridge} `) && l.endsWith(`--to-source ${address}`));
  return { present, first: present && aheadOfMasquerade(saved, subnet) };
}

/**
 * True when no MASQUERADE that matches `subnet` sits in POSTROUTING before
 * our jump: only then does our SNAT decide the source address.
 */
export function aheadOfMasquerade(saved: readonly string[], subnet: string): boolean {
  const postrouting = saved.filter((l) => l.startsWith('-A POSTROUTING '));
  const jump = postrouting.indexOf(`-A POSTROUTING -j ${CHAIN}`);
  if (jump < 0) return false;
  return !postrouting.slice(0, jump).some((l) => l.includes('-j MASQUERADE') && (!/ -s /.test(l) || l.includes(`-s ${subnet} `)));
}
