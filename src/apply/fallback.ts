import { inspectNetwork, listNetworks, type EngineRequest, type NetworkInfo } from '../adapters/engine.js';
import { natSnapshot, restoreBatch, type NatSnapshot } from '../adapters/iptables.js';
import type { Runner } from '../adapters/run.js';
import { EnvironmentError } from '../errors.js';
import { isFamily, type Family } from '../host/addresses.js';
import { aheadOfMasquerade, CHAIN, restoreInput, type FallbackRule } from '../plan/fallback-rules.js';
import type { EgressAddress } from '../project/declarations.js';

export interface FallbackNetwork {
  name: string;
  address: EgressAddress;
  /** Filled in when known, to spare a request. */
  info?: NetworkInfo;
}

/** Docker names a bridge br-<first 12 of the id> unless the network says otherwise. */
export function bridgeName(n: NetworkInfo): string {
  return n.options['com.docker.network.bridge.name'] ?? `br-${n.id.slice(0, 12)}`;
}

/** The bridge of every network the engine has now. */
export async function liveBridges(engine: EngineRequest): Promise<Set<string>> {
  return new Set([...(await listNetworks(engine)).values()].map(bridgeName));
}

/** The rules for networks as they exist now: one per family that has both an address and a subnet. */
export async function rulesFor(engine: EngineRequest, project: string, networks: readonly FallbackNetwork[]): Promise<FallbackRule[]> {
  const infos = await Promise.all(networks.map(async (n) => n.info ?? (await inspectNetwork(engine, n.name))));
  return networks.flatMap((n, i) => {
    const info = infos[i];
    if (!info) throw new EnvironmentError(`network ${n.name} does not exist, so ipcompose cannot write its SNAT rule`, 'run ipcompose up again');
    return (['ipv4', 'ipv6'] as const).flatMap((family) => {
      const address = n.address[family];
      const subnet = info.subnets.find((s) => isFamily(s, family === 'ipv6' ? 6 : 4));
      return address && subnet ? [{ project, network: n.name, subnet, bridge: bridgeName(info), address }] : [];
    });
  });
}

/** Both nat tables, read once for a caller that looks at them before syncRules writes. */
export async function natSnapshots(run: Runner): Promise<Record<Family, NatSnapshot>> {
  const [v4, v6] = await Promise.all([natSnapshot(run, 4, CHAIN), natSnapshot(run, 6, CHAIN)]);
  return { 4: v4, 6: v6 };
}

/**
 * Makes ipcompose's chain hold exactly `rules` for `projects` (one batch per
 * family, nothing written when nothing changes), then checks that no
 * MASQUERADE for those subnets comes first. Returns the families it wrote.
 */
export async function syncRules(
  run: Runner,
  projects: readonly string[],
  rules: readonly FallbackRule[],
  options: {
    /** When given, rules of other projects whose bridge no longer exists go too. */
    liveBridges?: ReadonlySet<string>;
    /** The nat tables as the caller just read them under the host lock, to spare reading them again. */
    snapshots?: Record<Family, NatSnapshot>;
  } = {},
): Promise<Family[]> {
  const { liveBridges } = options;
  const written: Family[] = [];
  for (const family of [4, 6] as const) {
    const mine = rules.filter((r) => isFamily(r.subnet, family));
    const before = options.snapshots?.[family] ?? (await natSnapshot(run, family, CHAIN));
    const input = restoreInput(before.lines, before.hasChain, projects, mine, liveBridges);
    if (input === undefined) continue;
    await restoreBatch(run, family, input);
    written.push(family);
    if (mine.length === 0) continue;
    const after = await natSnapshot(run, family, CHAIN);
    const behind = mine.filter((r) => !aheadOfMasquerade(after.lines, r.subnet));
    if (behind.length > 0) {
      throw new EnvironmentError(
        `cannot place ipcompose's SNAT rule ahead of a MASQUERADE for ${behind.map((r) => r.subnet).join(', ')}`,
        'another tool inserts rules at the top of nat POSTROUTING; check `iptables -t nat -S POSTROUTING`',
      );
    }
  }
  return written;
}
