import { inspectNetwork, listNetworks, type EngineRequest } from '../adapters/engine.js';
import { ipBatch, ipRules } from '../adapters/ip.js';
import type { Runner } from '../adapters/run.js';
import { EnvironmentError } from '../errors.js';
import { isFamily, type Family } from '../host/addresses.js';
import { routingCommands, type RoutedSubnet, type Routing } from '../plan/policy-routing.js';

/** The subnets of every network the engine has now, both families. */
export async function liveSubnets(engine: EngineRequest): Promise<Set<string>> {
  return new Set([...(await listNetworks(engine)).values()].flatMap((n) => n.subnets));
}

export async function routedSubnets(engine: EngineRequest, family: Family, networks: readonly { name: string; routing: Routing }[]): Promise<RoutedSubnet[]> {
  return Promise.all(
    networks.map(async (n) => {
      const subnet = (await inspectNetwork(engine, n.name))?.subnets.find((s) => isFamily(s, family));
      if (!subnet) throw new EnvironmentError(`network ${n.name} has no IPv${family} subnet to route`, 'run ipcompose up again');
      return { subnet, ...n.routing };
    }),
  );
}

/**
 * Brings ipcompose's ip rules of one family to `wanted`, keeping rules of
 * other live networks and dropping those whose network is gone; one
 * `ip -batch`. Returns whether anything was written.
 */
export async function syncRouting(run: Runner, engine: EngineRequest, family: Family, wanted: readonly RoutedSubnet[], live?: ReadonlySet<string>): Promise<boolean> {
  const [current, subnets] = await Promise.all([ipRules(run, family), live ?? liveSubnets(engine)]);
  const commands = routingCommands(current, wanted, subnets);
  const changes = commands.filter((c) => !c.startsWith('route replace'));
  if (changes.length === 0 && wanted.length === 0) return false;
  await ipBatch(run, family, commands);
  return changes.length > 0;
}
