import { EnvironmentError } from '../errors.js';
import { parseVersion, type Version } from '../versions.js';
import { firstErrorLine, type Runner } from './run.js';

/** What ipcompose needs to know about one engine network. */
export interface NetworkInfo {
  id: string;
  name: string;
  driver: string;
  internal: boolean;
  enableIPv6: boolean;
  options: Record<string, string>;
  labels: Record<string, string>;
  subnets: string[];
  containers: { id: string; name: string }[];
}

export interface EngineInfo {
  version: Version;
  apiVersion: string;
}

export interface NetworkCreateSpec {
  name: string;
  options: Record<string, string>;
  labels: Record<string, string>;
  ipv6: boolean;
}

export async function engineInfo(run: Runner): Promise<EngineInfo> {
  const result = await run(['docker', 'version', '--format', '{{json .Server}}']);
  const server = result.exitCode === 0 ? (JSON.parse(result.stdout) as { Version?: string; ApiVersion?: string } | null) : null;
  const version = server?.Version ? parseVersion(server.Version) : undefined;
  if (!server || !version) {
    const reason = firstErrorLine(result.stderr);
    throw new EnvironmentError(
      `cannot reach the Docker engine${reason ? `: ${reason}` : ''}`,
      /permission denied/i.test(reason)
        ? 'run ipcompose as root or as a member of the docker group'
        : 'start dockerd, or point DOCKER_HOST / DOCKER_CONTEXT at a running engine',
    );
  }
  return { version, apiVersion: server.ApiVersion ?? '' };
}

/**
 * Inspects the named networks in one process. Missing ones are simply
 * absent from the result: `docker network inspect` prints the ones it found
 * and reports the others on stderr.
 */
export async function inspectNetworks(run: Runner, names: readonly string[]): Promise<Map<string, NetworkInfo>> {
  const found = new Map<string, NetworkInfo>();
  if (names.length === 0) return found;
  const result = await run(['docker', 'network', 'inspect', ...names]);
  const raw = result.stdout.trim() === '' ? [] : (JSON.parse(result.stdout) as RawNetwork[]);
  if (result.exitCode !== 0 && raw.length === 0 && !/not found|no such network/i.test(result.stderr)) {
    throw new EnvironmentError(`docker network inspect failed: ${firstErrorLine(result.stderr)}`);
  }
  for (const n of raw) found.set(n.Name, toNetworkInfo(n));
  return found;
}

/** Every network on the host that carries the given label. */
export async function listNetworksByLabel(run: Runner, label: string): Promise<NetworkInfo[]> {
  const ids = await run(['docker', 'network', 'ls', '--quiet', '--no-trunc', '--filter', `label=${label}`]);
  if (ids.exitCode !== 0) throw new EnvironmentError(`docker network ls failed: ${firstErrorLine(ids.stderr)}`);
  const list = ids.stdout.split('\n').filter((l) => l.trim() !== '');
  return [...(await inspectNetworks(run, list)).values()];
}

export function createNetworkArgv(spec: NetworkCreateSpec): string[] {
  return [
    'docker',
    'network',
    'create',
    '--driver',
    'bridge',
    ...Object.entries(spec.options).flatMap(([k, v]) => ['--opt', `${k}=${v}`]),
    ...Object.entries(spec.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    ...(spec.ipv6 ? ['--ipv6'] : []),
    spec.name,
  ];
}

export const removeNetworkArgv = (name: string): string[] => ['docker', 'network', 'rm', name];
export const removeContainersArgv = (ids: readonly string[]): string[] => ['docker', 'rm', '--force', ...ids];

export async function createNetwork(run: Runner, spec: NetworkCreateSpec): Promise<void> {
  const result = await run(createNetworkArgv(spec));
  if (result.exitCode !== 0) {
    throw new EnvironmentError(`could not create network ${spec.name}: ${firstErrorLine(result.stderr)}`);
  }
}

/** Removes a network; returns false when the engine refused (for example, still in use). */
export async function removeNetwork(run: Runner, name: string): Promise<boolean> {
  const result = await run(removeNetworkArgv(name));
  return result.exitCode === 0;
}

export async function removeContainers(run: Runner, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const result = await run(removeContainersArgv(ids));
  if (result.exitCode !== 0) {
    throw new EnvironmentError(`could not remove containers: ${firstErrorLine(result.stderr)}`);
  }
}

interface RawNetwork {
  Id: string;
  Name: string;
  Driver: string;
  Internal?: boolean;
  EnableIPv6?: boolean;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
  IPAM?: { Config?: { Subnet?: string }[] | null };
  Containers?: Record<string, { Name: string }> | null;
}

function toNetworkInfo(n: RawNetwork): NetworkInfo {
  return {
    id: n.Id,
    name: n.Name,
    driver: n.Driver,
    internal: n.Internal ?? false,
    enableIPv6: n.EnableIPv6 ?? false,
    options: n.Options ?? {},
    labels: n.Labels ?? {},
    subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => typeof s === 'string'),
    containers: Object.entries(n.Containers ?? {}).map(([id, c]) => ({ id, name: c.Name })),
  };
}
