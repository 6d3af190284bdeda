import type { NetworkInfo } from '../adapters/engine.js';
import { UserError } from '../errors.js';
import type { HostAddress } from '../host/addresses.js';
import type { DefaultRoute } from '../host/routes.js';
import { tableFor, type Routing } from './policy-routing.js';
import {
  DeclarationError,
  formatAddress,
  readDeclarations,
  sameAddress,
  type Declaration,
  type EgressAddress,
} from '../project/declarations.js';
import type { ComposeModel, ComposeNetwork, ComposeService } from '../project/model.js';
import { atLeast, type Version } from '../versions.js';

// Docker's bridge driver options (moby libnetwork/drivers/bridge). Options are
// read only when a network is created.
export const OPT_HOST_BINDING_IPV4 = 'com.docker.network.bridge.host_binding_ipv4';
export const OPT_HOST_IPV4 = 'com.docker.network.host_ipv4'; // Engine 20.10+
export const OPT_HOST_IPV6 = 'com.docker.network.host_ipv6'; // Engine 25.0+

// What ipcompose writes on networks so that later commands can find them
// without the compose files.
export const LABEL_PROJECT = 'io.ipcompose.project';
export const LABEL_IPV4 = 'io.ipcompose.egress.ipv4';
export const LABEL_IPV6 = 'io.ipcompose.egress.ipv6';
/** Set only on networks that ipcompose itself created (declared external networks). */
export const LABEL_CREATED = 'io.ipcompose.created';
/** `fallback` on networks whose egress is ipcompose's own SNAT rule rather than Docker's. */
export const LABEL_MODE = 'io.ipcompose.mode';
/**
 * On containers, for networks that existed before ipcompose and cannot carry
 * labels: `io.ipcompose.fallback.<network>=<ipv4>,<ipv6>[,<gateway>]` (the
 * gateway for a second NIC), so `reconcile` finds them without the compose
 * files.
 */
export const LABEL_FALLBACK_PREFIX = 'io.ipcompose.fallback.';
/** The gateway of a second NIC, for policy routing (also found again by reconcile). */
export const LABEL_GATEWAY = 'io.ipcompose.gateway';

const COMPOSE_NETWORK_LABEL = 'com.docker.compose.network';
const COMPOSE_CONFIG_HASH_LABEL = 'com.docker.compose.config-hash';
const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';

export interface EngineFacts {
  engine: Version;
  compose: Version;
  /** Engine networks by name, for the networks this project uses (absent = missing). */
  networks: Map<string, NetworkInfo>;
  hostAddresses: HostAddress[];
  /** The main table's IPv4 default routes, best first. */
  defaultRoutes?: DefaultRoute[];
  /** The main table's IPv6 default routes, best first. */
  defaultRoutes6?: DefaultRoute[];
}

export type SnatMode = 'auto' | 'native' | 'iptables';

export interface PlanOptions {
  /** --recreate: replace networks that exist without the right options. */
  recreate: boolean;
  /**
   * --snat: `native` uses only Docker's options; `iptables` only ipcompose's
   * own SNAT chain; `auto` the options where they can apply, the chain for
   * networks that already run without them or an engine without host_ipv6.
   */
  snat?: SnatMode;
}

export type NetworkState =
  | 'ok' // exists with the right options
  | 'create' // ipcompose creates it (declared external network, missing)
  | 'compose-creates' // compose creates it from the override
  | 'compose-recreates' // exists without the options; compose's config hash makes compose replace it
  | 'recreate' // exists without the options; ipcompose removes it (--recreate)
  | 'conflict'; // exists without the options and cannot be replaced now: see `problem`

export interface EgressNetwork {
  /** Key in the compose model (`default`, `public`, or ipcompose's per-service key). */
  key: string;
  /** Engine name. */
  name: string;
  address: EgressAddress;
  declaredAt: 'project' | 'network' | 'service';
  external: boolean;
  ipv6: boolean;
  options: Record<string, string>;
  labels: Record<string, string>;
  state: NetworkState;
  /** native: Docker's host_ipv4/host_ipv6; fallback: ipcompose's SNAT chain and explicit port bindings. */
  mode: 'native' | 'fallback';
  /** Why this mode, for `plan`. */
  reason: string;
  /** IPv4 policy routing through a NIC other than the default route's. */
  routing?: Routing;
  /** IPv6 policy routing through a NIC other than the IPv6 default route's, via that NIC's own default route. */
  routing6?: Routing;
  /** Why a 'conflict' network blocks `up`. */
  problem?: UserError;
}

export interface ServiceEgress {
  service: string;
  /** Expected source address of its outbound connections (undefined: the host's primary address). */
  address?: EgressAddress;
  /** The network that must be its default gateway, when ipcompose had to choose. */
  gatewayNetwork?: string;
  /** On internal networks only: it has no way out at all. */
  internalOnly?: true;
}

export type Step =
  | { kind: 'remove-containers'; network: string; containers: { id: string; name: string }[] }
  | { kind: 'remove-network'; name: string }
  | { kind: 'create-network'; name: string; options: Record<string, string>; labels: Record<string, string>; ipv6: boolean }
  /** Compose creates the project's networks (and containers, stopped) so fallback rules can name their subnets first. */
  | { kind: 'compose-create' }
  /** ipcompose's SNAT rules for this project's fallback networks, as one batch per family. */
  | { kind: 'snat-rules'; networks: { name: string; address: EgressAddress }[] }
  /** ip rules and a routing table per second NIC, in one `ip -batch` per family. */
  | { kind: 'policy-routing'; family: 4 | 6; networks: { name: string; routing: Routing }[] };

export interface Plan {
  project: string;
  networks: EgressNetwork[];
  services: ServiceEgress[];
  /** Host changes ipcompose makes itself, in order, before compose runs. */
  steps: Step[];
  /** The compose override to generate, or undefined when nothing needs one. */
  override?: Override;
  /** What `up` says before it acts. */
  notes: string[];
  /** Suggestions that `plan` and `doctor` show, `up` does not. */
  advice: string[];
}

export interface Override {
  networks: Record<string, Record<string, unknown>>;
  services: Record<string, OverrideService>;
}

export interface OverrideService {
  networks?: Record<string, Record<string, unknown>>;
  /** Replaces the service's ports (compose's `!override`): merging would keep the unbound ones. */
  ports?: Replace;
  labels?: Record<string, string>;
}

/** A list that replaces, rather than extends, the one in the user's files. */
export class Replace {
  constructor(readonly items: unknown[]) {}
}

/** Engine 28 + Compose 2.33.1 bring gw_priority, the only sure way to pick a multi-network container's gateway. */
export function supportsGwPriority(facts: Pick<EngineFacts, 'engine' | 'compose'>): boolean {
  return atLeast(facts.engine, 28) && atLeast(facts.compose, 2, 33, 1);
}

/** Compose 2.31 added com.docker.compose.config-hash on networks and replaces a network whose config changed. */
export function composeRecreatesChangedNetworks(compose: Version): boolean {
  return atLeast(compose, 2, 31);
}

/** The options that give a bridge network its egress address. */
export function egressOptions(address: EgressAddress): Record<string, string> {
  const options: Record<string, string> = {};
  // There is no host_binding_ipv6: host_binding_ipv4 takes one address of either family.
  options[OPT_HOST_BINDING_IPV4] = (address.ipv4 ?? address.ipv6)!;
  if (address.ipv4) options[OPT_HOST_IPV4] = address.ipv4;
  if (address.ipv6) options[OPT_HOST_IPV6] = address.ipv6;
  return options;
}

export function egressLabels(project: string, address: EgressAddress): Record<string, string> {
  return {
    [LABEL_PROJECT]: project,
    ...(address.ipv4 ? { [LABEL_IPV4]: address.ipv4 } : {}),
    ...(address.ipv6 ? { [LABEL_IPV6]: address.ipv6 } : {}),
  };
}

/** The compose key of the network dedicated to one service-level address. */
export function dedicatedNetworkKey(address: EgressAddress): string {
  const slug = [address.ipv4, address.ipv6]
    .filter((a): a is string => a !== undefined)
    .map((a) => a.replace(/[.:]/g, '-'))
    .join('_');
  return `ipcompose-egress-${slug}`;
}

/**
 * The heart of ipcompose: from the resolved compose model and what is known
 * about the engine and the host, decide every network's egress address, what
 * must be created or replaced, and the override compose gets. Pure: no I/O,
 * throws UserError (often DeclarationError) for anything the user must fix.
 */
export function planEgress(model: ComposeModel, facts: EngineFacts, options: PlanOptions): Plan {
  const declarations = readDeclarations(model);
  for (const d of declarations) checkOnHost(d, facts.hostAddresses);
  const serviceDecls = new Map(
    declarations.flatMap((d) => (d.placement.kind === 'service' ? [[d.placement.service, d] as const] : [])),
  );
  const networks = [...declaredNetworks(model, declarations, facts, options), ...dedicatedNetworks(model, serviceDecls, facts, options)];
  const { services, overrideServices } = planServices(model, networks, serviceDecls, facts);
  const { steps, overrideNetworks, notes } = hostSteps(networks, facts);
  const override =
    Object.keys(overrideNetworks).length > 0 || Object.keys(overrideServices).length > 0
      ? { networks: overrideNetworks, services: overrideServices }
      : undefined;
  return { project: model.name, networks, services, steps, notes, advice: routingAdvice(networks, facts), ...(override ? { override } : {}) };
}

/** The project's own networks that carry an address: by a network declaration, or by the project's. */
function declaredNetworks(model: ComposeModel, declarations: readonly Declaration[], facts: EngineFacts, options: PlanOptions): EgressNetwork[] {
  const project = model.name;
  const projectDecl = declarations.find((d) => d.placement.kind === 'project');
  const networkDecls = new Map(
    declarations.flatMap((d) => (d.placement.kind === 'network' ? [[d.placement.network, d] as const] : [])),
  );
  const networks: EgressNetwork[] = [];
  for (const [key, spec] of Object.entries(model.networks ?? {})) {
    const own = networkDecls.get(key);
    const decl = own ?? (projectDecl && appliesToProjectDeclaration(spec) ? projectDecl : undefined);
    if (!decl) continue;
    checkNetworkCanCarry(key, spec, decl, own !== undefined, facts, options.snat ?? 'auto');
    if (!own && !isBridge(spec)) continue;
    networks.push(
      egressNetwork(project, key, spec.name ?? `${project}_${key}`, decl, own ? 'network' : 'project', spec, facts, options),
    );
  }
  checkNoTwoAddressesForOneName(networks);
  return networks;
}

/** Services with their own address get a network dedicated to that address, one per address. */
function dedicatedNetworks(model: ComposeModel, serviceDecls: ReadonlyMap<string, Declaration>, facts: EngineFacts, options: PlanOptions): EgressNetwork[] {
  const project = model.name;
  const dedicated = new Map<string, EgressNetwork>();
  for (const [service, decl] of serviceDecls) {
    const spec = model.services?.[service] ?? {};
    if (spec.network_mode !== undefined) {
      throw new DeclarationError(
        decl.keyPath,
        formatAddress(decl.address),
        `cannot apply: the service uses network_mode ${spec.network_mode}`,
        'remove network_mode, or move the declaration to the service or network that owns the network stack',
      );
    }
    if (!supportsGwPriority(facts)) {
      throw new DeclarationError(
        decl.keyPath,
        formatAddress(decl.address),
        `needs gw_priority to make the service's own network its default gateway (Engine 28+ and Compose 2.33.1+; this host has Engine ${facts.engine.text} and Compose ${facts.compose.text})`,
        'upgrade the engine and compose, or declare the address on a network the service alone uses',
      );
    }
    const key = dedicatedNetworkKey(decl.address);
    if (!dedicated.has(key)) {
      const spec: ComposeNetwork = { driver: 'bridge', enable_ipv6: decl.address.ipv6 !== undefined };
      dedicated.set(key, egressNetwork(project, key, `${project}_${key}`, decl, 'service', spec, facts, options));
    }
  }
  return [...dedicated.values()];
}

/** Each service's egress, and what the override changes in it: gateway priorities, port bindings, labels. */
function planServices(model: ComposeModel, networks: readonly EgressNetwork[], serviceDecls: ReadonlyMap<string, Declaration>, facts: EngineFacts) {
  const byKey = new Map(networks.map((n) => [n.key, n]));
  const services: ServiceEgress[] = [];
  const overrideServices: Override['services'] = {};
  for (const [service, spec] of Object.entries(model.services ?? {})) {
    const decision = serviceGateway(service, spec, serviceDecls.get(service), byKey, model.networks ?? {}, facts);
    services.push(decision.egress);
    const entry: OverrideService = {};
    if (decision.priorities) {
      const nets: Record<string, Record<string, unknown>> = {};
      // Every network is listed again: a service that had no `networks:` key
      // would otherwise lose its implicit `default` when the override adds one.
      for (const name of Object.keys(spec.networks ?? {})) nets[name] = {};
      for (const [name, priority] of Object.entries(decision.priorities)) nets[name] = { gw_priority: priority };
      entry.networks = nets;
    }
    const own = serviceDecls.get(service);
    const keys = [...Object.keys(spec.networks ?? {}), ...(own ? [dedicatedNetworkKey(own.address)] : [])];
    const attached = keys.map((k) => byKey.get(k)).filter((n): n is EgressNetwork => n !== undefined);
    const carrier = attached.find((n) => n.name === decision.egress.gatewayNetwork) ?? (attached.length > 0 && sameAddress(attached[0]!.address, decision.egress.address) ? attached[0] : undefined);
    // A published port binds every address unless it names one or its network
    // has host_binding_ipv4, which takes a single address: fallback networks
    // and dual-stack addresses get one explicit binding per address.
    const address = decision.egress.address;
    if (carrier && address && (spec.ports ?? []).length > 0 && (carrier.mode === 'fallback' || (address.ipv4 && address.ipv6))) {
      const hostIps = [address.ipv4, address.ipv6].filter((a): a is string => a !== undefined);
      entry.ports = new Replace((spec.ports as Record<string, unknown>[]).flatMap((p) => (p.host_ip ? [p] : hostIps.map((ip) => ({ ...p, host_ip: ip })))));
    }
    const adopted = attached.filter((n) => isAdopted(n, facts));
    if (adopted.length > 0) {
      entry.labels = Object.fromEntries(
        adopted.map((n) => [`${LABEL_FALLBACK_PREFIX}${n.name}`, [n.address.ipv4 ?? '', n.address.ipv6 ?? '', ...(n.routing ? [n.routing.gateway] : [])].join(',')]),
      );
    }
    if (Object.keys(entry).length > 0) overrideServices[service] = entry;
  }
  return { services, overrideServices };
}

/** What happens on the host, in order, and what the override says about each network. */
function hostSteps(networks: readonly EgressNetwork[], facts: EngineFacts) {
  const steps: Step[] = [];
  const notes: string[] = [];
  const overrideNetworks: Override['networks'] = {};
  for (const n of networks) {
    const existing = facts.networks.get(n.name);
    if (n.state === 'recreate' && existing) {
      if (existing.containers.length > 0) steps.push({ kind: 'remove-containers', network: n.name, containers: existing.containers });
      steps.push({ kind: 'remove-network', name: n.name });
    }
    if (n.external && (n.state === 'create' || n.state === 'recreate')) {
      steps.push({ kind: 'create-network', name: n.name, options: n.options, labels: n.labels, ipv6: n.ipv6 });
    }
    if (n.state === 'compose-recreates') {
      notes.push(`compose replaces network ${n.name}: it exists without the egress options (its containers are stopped and started again)`);
    }
    // A network adopted as it runs gets nothing: any change to its config
    // would make compose replace it.
    if (!n.external && !isAdopted(n, facts)) {
      overrideNetworks[n.key] = {
        ...(n.declaredAt === 'service' ? { name: n.name, driver: 'bridge', ...(n.ipv6 ? { enable_ipv6: true } : {}) } : {}),
        ...(Object.keys(n.options).length > 0 ? { driver_opts: n.options } : {}),
        labels: n.labels,
      };
    }
  }
  const fallback = networks.filter((n) => n.mode === 'fallback');
  const routed4 = networks.flatMap((n) => (n.routing ? [{ name: n.name, routing: n.routing }] : []));
  const routed6 = networks.flatMap((n) => (n.routing6 ? [{ name: n.name, routing: n.routing6 }] : []));
  if (networks.some((n) => (n.mode === 'fallback' || n.routing || n.routing6) && n.state === 'compose-creates')) steps.push({ kind: 'compose-create' });
  if (fallback.length > 0) steps.push({ kind: 'snat-rules', networks: fallback.map((n) => ({ name: n.name, address: n.address })) });
  if (routed4.length > 0) steps.push({ kind: 'policy-routing', family: 4, networks: routed4 });
  if (routed6.length > 0) steps.push({ kind: 'policy-routing', family: 6, networks: routed6 });
  return { steps, overrideNetworks, notes };
}

/** Addresses on a NIC other than the one with the default route, where ipcompose does not route by itself. */
function routingAdvice(networks: readonly EgressNetwork[], facts: EngineFacts): string[] {
  const advice: string[] = [];
  for (const n of networks) {
    const iface = facts.hostAddresses.find((h) => h.address === n.address.ipv4)?.interface;
    const main = facts.defaultRoutes?.[0];
    if (!n.routing && iface && main && iface !== main.interface) {
      advice.push(`${n.address.ipv4} is on ${iface}, but the default route is on ${main.interface}; if ${iface} reaches the internet through a gateway of its own, declare it: { ipv4: ${n.address.ipv4}, gateway: <gateway> }`);
    }
    const iface6 = facts.hostAddresses.find((h) => h.address === n.address.ipv6)?.interface;
    const main6 = facts.defaultRoutes6?.[0];
    if (!n.routing6 && iface6 && main6 && iface6 !== main6.interface) {
      advice.push(
        `${n.address.ipv6} is on ${iface6}, but the IPv6 default route is on ${main6.interface}; if ${iface6} reaches the internet through a router of its own, give it a second, higher-metric IPv6 default route (ip -6 route add default via <router> dev ${iface6} metric 2048) and ipcompose routes the network's IPv6 through it`,
      );
    }
  }
  return advice;
}

/** A network that ran before ipcompose and keeps running as it is, under ipcompose's own SNAT rule. */
function isAdopted(n: EgressNetwork, facts: EngineFacts): boolean {
  const existing = facts.networks.get(n.name);
  return n.mode === 'fallback' && existing !== undefined && existing.labels[LABEL_MODE] !== 'fallback';
}

function isBridge(spec: ComposeNetwork): boolean {
  return spec.driver === undefined || spec.driver === 'bridge';
}

/** A project-wide address covers the networks the project creates and can route out of. */
function appliesToProjectDeclaration(spec: ComposeNetwork): boolean {
  return spec.external !== true && spec.internal !== true;
}

function checkOnHost(decl: Declaration, host: HostAddress[]): void {
  for (const address of [decl.address.ipv4, decl.address.ipv6]) {
    if (address === undefined) continue;
    const found = host.find((h) => h.address === address);
    const path = decl.address.ipv4 && decl.address.ipv6 ? [...decl.keyPath, address.includes(':') ? 'ipv6' : 'ipv4'] : decl.keyPath;
    if (!found) {
      throw new DeclarationError(
        path,
        address,
        'is not assigned to any interface of this host',
        `add it first (for example: ip addr add ${address}/${address.includes(':') ? 128 : 32} dev <nic>), or correct the address`,
      );
    }
    if (found.internal) {
      throw new DeclarationError(path, address, 'is a loopback address, which cannot carry traffic out of the host', 'declare one of the host\'s public addresses');
    }
  }
}

function checkNetworkCanCarry(key: string, spec: ComposeNetwork, decl: Declaration, own: boolean, facts: EngineFacts, snat: SnatMode): void {
  const value = formatAddress(decl.address);
  if (own && spec.internal === true) {
    throw new DeclarationError(decl.keyPath, value, `cannot apply: network ${key} is internal and has no way out`, 'remove internal: true, or remove the declaration');
  }
  if (!isBridge(spec)) {
    if (own) {
      throw new DeclarationError(decl.keyPath, value, `cannot apply: network ${key} uses driver ${spec.driver}, and egress addresses need a bridge network`, 'use the bridge driver for this network');
    }
    return;
  }
  if (decl.address.ipv6 !== undefined && spec.enable_ipv6 !== true) {
    throw new DeclarationError(decl.keyPath, value, `declares IPv6 but network ${key} has no IPv6`, `set enable_ipv6: true on network ${key}`);
  }
  if (decl.address.ipv6 !== undefined && !atLeast(facts.engine, 25) && snat === 'native') {
    throw new DeclarationError(decl.keyPath, value, `needs host_ipv6, which Engine ${facts.engine.text} lacks (it came with 25.0)`, 'upgrade the engine, or declare only an IPv4 address');
  }
  const wanted = egressOptions(decl.address);
  for (const [option, userValue] of Object.entries(spec.driver_opts ?? {})) {
    if (option in wanted && String(userValue) !== wanted[option]) {
      throw new DeclarationError(
        decl.keyPath,
        value,
        `contradicts driver_opts ${option}: ${String(userValue)} on network ${key}`,
        'remove that driver option (ipcompose sets it) or make the two agree',
      );
    }
  }
}

function egressNetwork(
  project: string,
  key: string,
  name: string,
  decl: Declaration,
  declaredAt: EgressNetwork['declaredAt'],
  spec: ComposeNetwork,
  facts: EngineFacts,
  options: PlanOptions,
): EgressNetwork {
  const external = spec.external === true;
  const snat = options.snat ?? 'auto';
  const ipv6 = decl.address.ipv6 !== undefined;
  // Engine < 25 has no host_ipv6: in auto mode IPv6 egress comes from ipcompose's own rule.
  const noHostIpv6 = ipv6 && !atLeast(facts.engine, 25);
  const forcedFallback = snat === 'iptables' ? 'requested with --snat iptables' : noHostIpv6 && snat === 'auto' ? `Engine ${facts.engine.text} has no host_ipv6` : undefined;
  const routing = routingFor(decl.address, facts);
  const routing6 = routingFor6(decl.address, facts);
  const labels = {
    ...egressLabels(project, decl.address),
    ...(external ? { [LABEL_CREATED]: 'true' } : {}),
    ...(routing ? { [LABEL_GATEWAY]: routing.gateway } : {}),
  };
  const native = {
    key,
    name,
    address: decl.address,
    declaredAt,
    external,
    ipv6,
    options: egressOptions(decl.address),
    labels,
    mode: 'native' as const,
    reason: "Docker's host_ipv4/host_ipv6 options",
    ...(routing ? { routing } : {}),
    ...(routing6 ? { routing6 } : {}),
  };
  const fallback = (reason: string) => ({ ...native, options: {}, labels: { ...labels, [LABEL_MODE]: 'fallback' }, mode: 'fallback' as const, reason });
  const existing = facts.networks.get(name);
  if (!existing) {
    const base = forcedFallback ? fallback(forcedFallback) : native;
    return { ...base, state: external ? 'create' : 'compose-creates' };
  }
  if (!forcedFallback && hasOptions(existing, native.options, ipv6)) return { ...native, state: 'ok' };
  if (existing.labels[LABEL_MODE] === 'fallback' && existing.labels[LABEL_IPV4] === decl.address.ipv4 && existing.labels[LABEL_IPV6] === decl.address.ipv6) {
    return { ...fallback('created for ipcompose\'s own SNAT rule'), state: 'ok' };
  }

  const what = `network ${name} exists without the egress options for ${formatAddress(decl.address)}`;
  const conflict = (problem: string, hint: string): EgressNetwork => ({
    ...native,
    state: 'conflict',
    problem: new DeclarationError(decl.keyPath, formatAddress(decl.address), `cannot apply: ${problem}`, hint),
  });
  const composeOwned = existing.labels[COMPOSE_NETWORK_LABEL] !== undefined && existing.labels[COMPOSE_PROJECT_LABEL] === project;
  if (!external && !composeOwned) {
    return conflict(
      `network ${name} exists and was not created by compose for project ${project}`,
      `remove it (docker network rm ${name}) or give the compose network another name`,
    );
  }
  // A running network is adopted as it is: ipcompose's SNAT rule for its
  // subnet, explicit host IPs on published ports; nothing is recreated.
  if (snat !== 'native' && !options.recreate) {
    return { ...fallback(forcedFallback ?? 'exists without the options; adopted without recreating it'), state: 'ok' };
  }
  if (external) {
    if (!options.recreate) return conflict(what, recreateHint(existing));
    if (existing.containers.length > 0) {
      return conflict(`${what}, and containers are attached (${existing.containers.map((c) => c.name).join(', ')})`, recreateHint(existing));
    }
    return { ...native, state: 'recreate' };
  }
  if (existing.labels[COMPOSE_CONFIG_HASH_LABEL] !== undefined && composeRecreatesChangedNetworks(facts.compose)) {
    return { ...native, state: 'compose-recreates' };
  }
  if (!options.recreate) {
    return conflict(
      `${what}, and Compose ${facts.compose.text} would reuse it as it is`,
      'run `ipcompose up --recreate` to replace it (its containers are removed and created again by compose), or `--snat auto` to adopt it',
    );
  }
  const foreign = existing.containers.filter((c) => !c.name.startsWith(`${project}-`) && !c.name.startsWith(`${project}_`));
  if (foreign.length > 0) {
    return conflict(`${what}, and containers of other projects are attached (${foreign.map((c) => c.name).join(', ')})`, 'disconnect them first with docker network disconnect');
  }
  return { ...native, state: 'recreate' };
}

/**
 * An address on a NIC that does not hold the default route needs policy
 * routing through that NIC's gateway: the declared one, else the NIC's own
 * default route in the main table (a second, higher-metric default).
 */
export function routingFor(address: EgressAddress, facts: Pick<EngineFacts, 'hostAddresses' | 'defaultRoutes'>): Routing | undefined {
  return nicRouting(address.ipv4, facts.hostAddresses, facts.defaultRoutes ?? [], address.gateway);
}

/** The same for IPv6, whose gateway is always the NIC's own default route (often its router's link-local address). */
export function routingFor6(address: EgressAddress, facts: Pick<EngineFacts, 'hostAddresses' | 'defaultRoutes6'>): Routing | undefined {
  return nicRouting(address.ipv6, facts.hostAddresses, facts.defaultRoutes6 ?? []);
}

function nicRouting(address: string | undefined, hostAddresses: readonly HostAddress[], routes: readonly DefaultRoute[], declaredGateway?: string): Routing | undefined {
  const host = hostAddresses.find((h) => h.address === address);
  if (!host || routes[0]?.interface === host.interface) return undefined;
  const gateway = declaredGateway ?? routes.find((r) => r.interface === host.interface)?.gateway;
  return gateway ? { interface: host.interface, gateway, table: tableFor(host.interface, gateway), ...(host.prefix ? { prefix: host.prefix } : {}) } : undefined;
}

function recreateHint(existing: NetworkInfo): string {
  if (existing.containers.length === 0) return `run \`ipcompose up --recreate\`, or remove it yourself: docker network rm ${existing.name}`;
  const names = existing.containers.map((c) => c.name).join(' ');
  return `stop or disconnect its containers (docker network disconnect ${existing.name} <container> for: ${names}), then run \`ipcompose up --recreate\``;
}

function hasOptions(existing: NetworkInfo, wanted: Record<string, string>, ipv6: boolean): boolean {
  if (ipv6 && !existing.enableIPv6) return false;
  return Object.entries(wanted).every(([k, v]) => existing.options[k] === v);
}

function checkNoTwoAddressesForOneName(networks: EgressNetwork[]): void {
  const seen = new Map<string, EgressNetwork>();
  for (const n of networks) {
    const other = seen.get(n.name);
    if (other && !sameAddress(other.address, n.address)) {
      throw new UserError(
        `networks ${other.key} and ${n.key} are both engine network ${n.name} but declare different egress addresses (${formatAddress(other.address)}, ${formatAddress(n.address)})`,
        'give them the same x-egress-ip',
      );
    }
    seen.set(n.name, n);
  }
}

interface GatewayDecision {
  egress: ServiceEgress;
  /** gw_priority values to set in the override, by network key. */
  priorities?: Record<string, number>;
}

/**
 * Which address a service's outbound traffic leaves from, and what makes that
 * so. A container on several networks takes its default gateway from the one
 * with the highest gw_priority; without it, ties break on network name.
 */
function serviceGateway(
  service: string,
  spec: ComposeService,
  decl: Declaration | undefined,
  egress: Map<string, EgressNetwork>,
  modelNetworks: Record<string, ComposeNetwork>,
  facts: EngineFacts,
): GatewayDecision {
  const attached = Object.entries(spec.networks ?? {});
  const userPriority = (key: string) => {
    const entry = attached.find(([k]) => k === key)?.[1];
    return entry?.gw_priority ?? 0;
  };
  if (decl) {
    const key = dedicatedNetworkKey(decl.address);
    const top = Math.max(0, ...attached.map(([k]) => userPriority(k)));
    return { egress: { service, address: decl.address, gatewayNetwork: egress.get(key)!.name }, priorities: { [key]: top + 1 } };
  }
  if (spec.network_mode !== undefined) return { egress: { service } };

  // Internal networks have no gateway and never carry outbound traffic.
  const routable = attached.map(([k]) => k).filter((k) => modelNetworks[k]?.internal !== true);
  if (attached.length > 0 && routable.length === 0) return { egress: { service, internalOnly: true } };
  const addressOf = (key: string) => egress.get(key)?.address;
  const distinct = uniqueAddresses(routable.map(addressOf));
  if (distinct.length <= 1) return { egress: { service, ...(distinct[0] ? { address: distinct[0] } : {}) } };

  const declared = uniqueAddresses(distinct.filter((a) => a !== undefined));
  if (declared.length > 1) {
    throw new DeclarationError(
      ['services', service, 'networks'],
      routable,
      `put service ${service} on networks with different egress addresses (${routable.map((k) => `${k}: ${formatAddress(addressOf(k))}`).join(', ')})`,
      `declare x-egress-ip on service ${service} to choose its address`,
    );
  }
  const wanted = declared[0]!;
  const carriers = routable.filter((k) => sameAddress(addressOf(k), wanted));
  const engineName = (k: string) => modelNetworks[k]?.name ?? k;
  const userSet = routable.some((k) => userPriority(k) !== 0);
  if (userSet || !supportsGwPriority(facts)) {
    // Highest gw_priority first, then name order, as the engine picks.
    const winner = [...routable].sort((a, b) => userPriority(b) - userPriority(a) || engineName(a).localeCompare(engineName(b)))[0]!;
    if (!sameAddress(addressOf(winner), wanted)) {
      throw new DeclarationError(
        ['services', service, 'networks'],
        routable,
        `make service ${service} leave through network ${winner} (${formatAddress(addressOf(winner))}), not through ${carriers.join(', ')} (${formatAddress(wanted)})`,
        userSet
          ? `raise gw_priority on network ${carriers[0]} for service ${service}, or declare x-egress-ip on the service`
          : 'upgrade to Engine 28+ and Compose 2.33.1+ (gw_priority), or declare the address on every network of the service',
      );
    }
    return { egress: { service, address: wanted, gatewayNetwork: engineName(winner) } };
  }
  return {
    egress: { service, address: wanted, gatewayNetwork: engineName(carriers[0]!) },
    priorities: Object.fromEntries(carriers.map((k) => [k, 1])),
  };
}

function uniqueAddresses(list: (EgressAddress | undefined)[]): (EgressAddress | undefined)[] {
  const out: (EgressAddress | undefined)[] = [];
  for (const a of list) if (!out.some((b) => sameAddress(a, b))) out.push(a);
  return out;
}
