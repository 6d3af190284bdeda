import { listNetworks, projectContainers, runningContainerLabels, type EngineRequest, type NetworkInfo } from '../adapters/engine.js';
import { snatState } from '../adapters/iptables.js';
import { bridgeName, natSnapshots, rulesFor, syncRules, type FallbackNetwork } from '../apply/fallback.js';
import { withHostLock } from '../apply/host-lock.js';
import { syncRouting } from '../apply/policy-routing.js';
import { ipDefaultRoutes6 } from '../adapters/ip.js';
import { hostAddresses, isFamily, type Family } from '../host/addresses.js';
import { defaultRoutes } from '../host/routes.js';
import { LABEL_FALLBACK_PREFIX, LABEL_GATEWAY, LABEL_IPV4, LABEL_IPV6, LABEL_MODE, LABEL_PROJECT, OPT_HOST_IPV4, OPT_HOST_IPV6, routingFor, routingFor6 } from '../plan/egress-plan.js';
import { chainRules, CHAIN, projectOf } from '../plan/fallback-rules.js';
import type { CommandContext } from './context.js';

export type ReconcileOptions = CommandContext;

/**
 * `ipcompose reconcile`: re-applies the SNAT of every running project from
 * what the engine knows (labels on networks and containers), no compose files
 * needed. Fallback networks get their rules back; a native network whose
 * Docker rule vanished (`iptables -t nat -F`) gets one of ipcompose's until
 * Docker's own returns. Projects that no longer run lose their rules.
 */
export function reconcile(options: ReconcileOptions): Promise<number> {
  return withHostLock(options.run, () => reconcileLocked(options));
}

async function reconcileLocked(options: ReconcileOptions): Promise<number> {
  const all = await listNetworks(options.engine);
  const wanted = await wantedNetworks(options.engine, all);
  const snapshots = await natSnapshots(options.run);
  const [nat4, nat6] = [snapshots[4], snapshots[6]];
  const byProject = new Map<string, FallbackNetwork[]>();
  for (const { project, network, address, fallback } of wanted) {
    // Native networks need help only while Docker's own rule is missing.
    const needed = { ...address };
    if (!fallback) {
      for (const family of ['ipv4', 'ipv6'] as const) {
        const a = address[family];
        const subnet = network.subnets.find((s) => isFamily(s, family === 'ipv6' ? 6 : 4));
        if (!a || !subnet) continue;
        if (snatState((family === 'ipv4' ? nat4 : nat6).lines, subnet, bridgeName(network), a).present) delete needed[family];
      }
    }
    if (!needed.ipv4 && !needed.ipv6) continue;
    byProject.set(project, [...(byProject.get(project) ?? []), { name: network.name, address: needed, info: network }]);
  }
  const rules = (await Promise.all([...byProject].map(([project, networks]) => rulesFor(options.engine, project, networks)))).flat();
  const inChain = [...chainRules(nat4.lines), ...chainRules(nat6.lines)].map(projectOf).filter((p): p is string => p !== undefined);
  const projects = [...new Set([...inChain, ...byProject.keys()])];
  const written = await syncRules(options.run, projects, rules, { liveBridges: new Set([...all.values()].map(bridgeName)), snapshots });
  // Policy routing of second NICs: IPv4 from the gateway label, IPv6 from the NIC's own default route.
  const facts = {
    hostAddresses: hostAddresses(),
    defaultRoutes: defaultRoutes(),
    defaultRoutes6: wanted.some((w) => w.address.ipv6) ? await ipDefaultRoutes6(options.run) : [],
  };
  const routed = (family: Family) =>
    wanted.flatMap(({ network, address, gateway: adoptedGateway }) => {
      const gateway = adoptedGateway ?? network.labels[LABEL_GATEWAY];
      const routing = family === 4 ? gateway && routingFor({ ...address, gateway }, facts) : routingFor6(address, facts);
      const subnet = network.subnets.find((s) => isFamily(s, family));
      return routing && subnet ? [{ subnet, ...routing }] : [];
    });
  const live = new Set([...all.values()].flatMap((n) => n.subnets));
  let rerouted = false;
  for (const family of [4, 6] as const) rerouted = (await syncRouting(options.run, options.engine, family, routed(family), live)) || rerouted;
  options.output.step(
    written.length > 0 || rerouted
      ? `updated ${CHAIN}: ${rules.length} SNAT rule(s) for ${byProject.size} project(s), stale ones removed`
      : `nothing to do: ${rules.length} SNAT rule(s) already in place`,
  );
  return 0;
}

interface Wanted {
  project: string;
  network: NetworkInfo;
  address: { ipv4?: string; ipv6?: string };
  fallback: boolean;
  /** A second NIC's gateway, for networks adopted as they ran (theirs is on the containers). */
  gateway?: string;
}

/** Egress networks of projects that have running containers, from labels. */
async function wantedNetworks(engine: EngineRequest, all: Map<string, NetworkInfo>): Promise<Wanted[]> {
  const labelled = [...all.values()].filter((n) => n.labels[LABEL_PROJECT]);
  const projects = new Set(labelled.map((n) => n.labels[LABEL_PROJECT]!));
  const containers = new Map(await Promise.all([...projects].map(async (p) => [p, await projectContainers(engine, p)] as const)));
  const wanted: Wanted[] = [];
  for (const n of labelled) {
    const project = n.labels[LABEL_PROJECT]!;
    if (!containers.get(project)?.some((c) => c.running)) continue;
    const ipv4 = n.labels[LABEL_IPV4];
    const ipv6 = n.labels[LABEL_IPV6];
    const fallback = n.labels[LABEL_MODE] === 'fallback' || (ipv4 !== undefined && n.options[OPT_HOST_IPV4] !== ipv4) || (ipv6 !== undefined && n.options[OPT_HOST_IPV6] !== ipv6);
    wanted.push({ project, network: n, address: { ...(ipv4 ? { ipv4 } : {}), ...(ipv6 ? { ipv6 } : {}) }, fallback });
  }
  // Networks adopted as they ran carry no labels of ours; their containers do.
  const running = await listContainersWithFallback(engine);
  for (const { project, networkName, address, gateway } of running) {
    const network = all.get(networkName);
    if (network && !wanted.some((w) => w.network.name === networkName)) wanted.push({ project, network, address, fallback: true, ...(gateway ? { gateway } : {}) });
  }
  return wanted;
}

async function listContainersWithFallback(engine: EngineRequest) {
  const found = new Map<string, { project: string; networkName: string; address: { ipv4?: string; ipv6?: string }; gateway?: string }>();
  for (const labels of await runningContainerLabels(engine)) {
    for (const [key, value] of Object.entries(labels)) {
      if (!key.startsWith(LABEL_FALLBACK_PREFIX)) continue;
      const networkName = key.slice(LABEL_FALLBACK_PREFIX.length);
      const [ipv4, ipv6, gateway] = value.split(',');
      found.set(networkName, {
        project: labels['com.docker.compose.project'] ?? 'unknown',
        networkName,
        address: { ...(ipv4 ? { ipv4 } : {}), ...(ipv6 ? { ipv6 } : {}) },
        ...(gateway ? { gateway } : {}),
      });
    }
  }
  return [...found.values()];
}
