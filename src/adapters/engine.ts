import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import type { Output } from '../output.js';
import { parseVersion, type Version } from '../versions.js';

/**
 * The Docker engine, through its HTTP API on the local socket. ipcompose
 * must run on the Docker host anyway (it checks the host's addresses), and
 * talking to the socket directly costs a few milliseconds where each docker
 * CLI process costs tens: the facts `up` needs arrive while compose is still
 * resolving the project.
 */
export interface EngineResponse {
  status: number;
  body: unknown;
}

export type EngineRequest = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => Promise<EngineResponse>;

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

export interface Endpoint {
  socketPath?: string;
  host?: string;
  port?: number;
  /** As the user wrote it, for messages. */
  text: string;
}

/**
 * Where the engine listens, as the docker CLI decides: DOCKER_HOST, else the
 * context named by DOCKER_CONTEXT or by currentContext in the CLI config,
 * else the default socket.
 */
export function resolveEndpoint(env: NodeJS.ProcessEnv): Endpoint {
  if (env.DOCKER_HOST) return parseHost(env.DOCKER_HOST, env);
  const configDir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  let context = env.DOCKER_CONTEXT;
  if (!context) {
    try {
      context = (JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { currentContext?: string }).currentContext;
    } catch {
      context = undefined;
    }
  }
  if (context && context !== 'default') {
    const id = createHash('sha256').update(context).digest('hex');
    const metaFile = join(configDir, 'contexts', 'meta', id, 'meta.json');
    if (!existsSync(metaFile)) {
      throw new EnvironmentError(`docker context ${context} does not exist`, 'list the contexts with `docker context ls`');
    }
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { Endpoints?: { docker?: { Host?: string } } };
    if (existsSync(join(configDir, 'contexts', 'tls', id))) throw remoteOnly(`context ${context} (TLS)`);
    return parseHost(meta.Endpoints?.docker?.Host ?? 'unix:///var/run/docker.sock', env);
  }
  return { socketPath: '/var/run/docker.sock', text: 'unix:///var/run/docker.sock' };
}

function parseHost(text: string, env: NodeJS.ProcessEnv): Endpoint {
  if (text.startsWith('unix://')) return { socketPath: text.slice('unix://'.length), text };
  if (text.startsWith('tcp://') && !env.DOCKER_TLS_VERIFY) {
    const url = new URL(text.replace(/^tcp:/, 'http:'));
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 2375), text };
  }
  throw remoteOnly(text);
}

function remoteOnly(what: string): EnvironmentError {
  return new EnvironmentError(
    `ipcompose talks to the engine on this host's socket and cannot use ${what}`,
    'run ipcompose on the Docker host itself, with DOCKER_HOST unset or unix://',
  );
}

export function createEngineRequest(endpoint: Endpoint, output: Output): EngineRequest {
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      output.request(method, path);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpRequest(
        {
          ...(endpoint.socketPath ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port }),
          method,
          path,
          headers: { host: 'docker', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              // plain-text error bodies stay text
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        const denied = error.code === 'EACCES';
        reject(
          new EnvironmentError(
            `cannot reach the Docker engine at ${endpoint.text}: ${error.code ?? error.message}`,
            denied ? 'run ipcompose as root or as a member of the docker group' : 'start dockerd, or point DOCKER_HOST / DOCKER_CONTEXT at a running engine',
          ),
        );
      });
      if (payload) req.write(payload);
      req.end();
    });
}

export async function engineInfo(request: EngineRequest): Promise<EngineInfo> {
  const res = await request('GET', '/version');
  const body = res.body as { Version?: string; ApiVersion?: string } | undefined;
  const version = res.status === 200 && body?.Version ? parseVersion(body.Version) : undefined;
  if (!version) throw new EnvironmentError(`the Docker engine did not report its version (HTTP ${res.status}): ${errorText(res)}`);
  return { version, apiVersion: body?.ApiVersion ?? '' };
}

/**
 * Every network on the host, in one request. The list carries options and
 * labels but not the attached containers; ask `networkContainers` for those.
 */
export async function listNetworks(request: EngineRequest, filters?: Record<string, string[]>): Promise<Map<string, NetworkInfo>> {
  const query = filters ? `?filters=${encodeURIComponent(JSON.stringify(filters))}` : '';
  const res = await request('GET', `/networks${query}`);
  if (res.status !== 200 || !Array.isArray(res.body)) throw new EnvironmentError(`listing networks failed (HTTP ${res.status}): ${errorText(res)}`);
  return new Map((res.body as RawNetwork[]).map((n) => [n.Name, toNetworkInfo(n)]));
}

/** One network with its containers, or undefined when it does not exist. */
export async function inspectNetwork(request: EngineRequest, name: string): Promise<NetworkInfo | undefined> {
  const res = await request('GET', `/networks/${encodeURIComponent(name)}`);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new EnvironmentError(`inspecting network ${name} failed (HTTP ${res.status}): ${errorText(res)}`);
  return toNetworkInfo(res.body as RawNetwork);
}

/** The request body of POST /networks/create (Engine API NetworkCreateRequest). */
export function createNetworkBody(spec: NetworkCreateSpec): Record<string, unknown> {
  return { Name: spec.name, Driver: 'bridge', Options: spec.options, Labels: spec.labels, EnableIPv6: spec.ipv6, CheckDuplicate: true };
}

export async function createNetwork(request: EngineRequest, spec: NetworkCreateSpec): Promise<void> {
  const res = await request('POST', '/networks/create', createNetworkBody(spec));
  if (res.status !== 201) throw new EnvironmentError(`could not create network ${spec.name}: ${errorText(res)}`);
}

/** Removes a network; false when the engine refused (for example, still in use). */
export async function removeNetwork(request: EngineRequest, name: string): Promise<boolean> {
  const res = await request('DELETE', `/networks/${encodeURIComponent(name)}`);
  return res.status === 204 || res.status === 200;
}

export async function removeContainers(request: EngineRequest, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const res = await request('DELETE', `/containers/${encodeURIComponent(id)}?force=1`);
    if (res.status !== 204 && res.status !== 404) throw new EnvironmentError(`could not remove container ${id}: ${errorText(res)}`);
  }
}

function errorText(res: EngineResponse): string {
  const body = res.body as { message?: string } | string | undefined;
  return typeof body === 'string' ? body.trim() : (body?.message ?? '');
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

export interface ContainerInfo {
  id: string;
  name: string;
  service?: string;
  running: boolean;
  /** By network name: the container's address and gateway there. */
  networks: Record<string, { ipAddress: string; gateway: string }>;
}

/** The containers of one compose project (compose labels them), running or not. */
export async function projectContainers(request: EngineRequest, project: string): Promise<ContainerInfo[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${project}`] }));
  const res = await request('GET', `/containers/json?all=1&filters=${filters}`);
  if (res.status !== 200 || !Array.isArray(res.body)) throw new EnvironmentError(`listing containers failed (HTTP ${res.status}): ${errorText(res)}`);
  return (res.body as RawContainer[]).map((c) => ({
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
    ...(c.Labels?.['com.docker.compose.service'] ? { service: c.Labels['com.docker.compose.service'] } : {}),
    running: c.State === 'running',
    networks: Object.fromEntries(
      Object.entries(c.NetworkSettings?.Networks ?? {}).map(([name, n]) => [name, { ipAddress: n.IPAddress ?? '', gateway: n.Gateway ?? '' }]),
    ),
  }));
}

/** Labels of every running container, in one request. */
export async function runningContainerLabels(request: EngineRequest): Promise<Record<string, string>[]> {
  const res = await request('GET', `/containers/json?filters=${encodeURIComponent(JSON.stringify({ status: ['running'] }))}`);
  if (res.status !== 200 || !Array.isArray(res.body)) throw new EnvironmentError(`listing containers failed (HTTP ${res.status}): ${errorText(res)}`);
  return (res.body as RawContainer[]).map((c) => c.Labels ?? {});
}

/** The host PID of a running container's first process, to enter its namespaces. */
export async function containerPid(request: EngineRequest, id: string): Promise<number | undefined> {
  const res = await request('GET', `/containers/${encodeURIComponent(id)}/json`);
  const pid = (res.body as { State?: { Pid?: number } } | undefined)?.State?.Pid;
  return res.status === 200 && pid ? pid : undefined;
}

interface RawContainer {
  Id: string;
  Names?: string[];
  State?: string;
  Labels?: Record<string, string>;
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string; Gateway?: string }> };
}
