import { describe, expect, it } from 'vitest';
import { composeConfig, composeVersion, globalArgs } from '../../src/adapters/compose.js';
import { withFileLock } from '../../src/adapters/flock.js';
import { ipBatch, ipDefaultRoutes6, ipRules } from '../../src/adapters/ip.js';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createNetwork,
  engineInfo,
  inspectNetwork,
  removeContainers,
  removeNetwork,
  resolveEndpoint,
  type EngineRequest,
  type EngineResponse,
} from '../../src/adapters/engine.js';
import type { RunResult, Runner } from '../../src/adapters/run.js';
import { emptyGlobals } from '../../src/project/compose-files.js';

/** A Runner that records argv and answers from a script. */
function fakeRunner(answer: (argv: readonly string[]) => Partial<RunResult>) {
  const calls: string[][] = [];
  const run: Runner = async (argv) => {
    calls.push([...argv]);
    return { exitCode: 0, stdout: '', stderr: '', ...answer(argv) };
  };
  return { run, calls };
}

describe('compose adapter', () => {
  it('builds the global flags with the compose and dotenv files made explicit', () => {
    expect(
      globalArgs({ ...emptyGlobals(), projectName: 'p', projectDirectory: 'd', profiles: ['a', 'b'], envFiles: ['e'], extra: ['--ansi', 'never'] }, ['/x/compose.yaml', '/o.yaml'], ['/x/e']),
    ).toEqual(['-f', '/x/compose.yaml', '-f', '/o.yaml', '-p', 'p', '--project-directory', 'd', '--profile', 'a', '--profile', 'b', '--env-file', '/x/e', '--ansi', 'never']);
  });

  it('asks for the version once per binary and refuses Compose v1 with the way to upgrade', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipc-compose-'));
    const binary = join(dir, 'docker-compose');
    writeFileSync(binary, 'fake');
    const cache = join(dir, 'state', 'compose-version.json');
    const v2 = fakeRunner(() => ({ stdout: '2.40.3-3\n' }));
    expect((await composeVersion(v2.run, binary, cache)).minor).toBe(40);
    expect((await composeVersion(v2.run, binary, cache)).minor).toBe(40);
    expect(v2.calls).toEqual([[binary, 'version', '--short']]);
    writeFileSync(binary, 'a new build');
    expect((await composeVersion(v2.run, binary, cache)).minor).toBe(40);
    expect(v2.calls).toHaveLength(2);
    const v1 = fakeRunner(() => ({ stdout: '1.29.2\n' }));
    await expect(composeVersion(v1.run, binary)).rejects.toMatchObject({ exitCode: 3, message: expect.stringMatching(/Compose v1 \(1\.29\.2\)/), hint: expect.stringMatching(/install Compose v2/) });
  });

  it('reads config as YAML and reports compose’s reason without its warnings', async () => {
    const ok = fakeRunner(() => ({ stdout: 'name: p\nservices:\n  web:\n    x-egress-ip: 203.0.113.5\n' }));
    expect(await composeConfig(ok.run, 'dc', ['-f', 'c.yaml'])).toEqual({ name: 'p', services: { web: { 'x-egress-ip': '203.0.113.5' } } });
    expect(ok.calls).toEqual([['dc', '-f', 'c.yaml', 'config', '--no-path-resolution']]);
    const bad = fakeRunner(() => ({ exitCode: 15, stderr: 'time="x" level=warning msg="unset"\nservices.web.ports must be a list\n' }));
    await expect(composeConfig(bad.run, 'dc', [])).rejects.toMatchObject({ exitCode: 2, message: 'compose rejected the project: services.web.ports must be a list' });
  });
});

describe('engine adapter', () => {
  function fakeEngine(answer: (method: string, path: string) => EngineResponse) {
    const calls: [string, string, unknown][] = [];
    const request: EngineRequest = async (method, path, body) => {
      calls.push([method, path, body]);
      return answer(method, path);
    };
    return { request, calls };
  }

  it('creates a network with options, labels and IPv6', async () => {
    const fake = fakeEngine(() => ({ status: 201, body: { Id: 'x' } }));
    await createNetwork(fake.request, { name: 'n', options: { 'o.a': '1' }, labels: { 'l.b': '2' }, ipv6: true });
    expect(fake.calls).toEqual([
      ['POST', '/networks/create', { Name: 'n', Driver: 'bridge', Options: { 'o.a': '1' }, Labels: { 'l.b': '2' }, EnableIPv6: true, CheckDuplicate: true }],
    ]);
  });

  it('inspects a network and reports a missing one as undefined', async () => {
    const fake = fakeEngine((_m, path) =>
      path === '/networks/a'
        ? { status: 200, body: { Id: 'i', Name: 'a', Driver: 'bridge', Options: { k: 'v' }, Labels: null, IPAM: { Config: [{ Subnet: '172.20.0.0/16' }] }, Containers: { c1: { Name: 'w-1' } } } }
        : { status: 404, body: { message: 'network b not found' } },
    );
    expect(await inspectNetwork(fake.request, 'a')).toMatchObject({ options: { k: 'v' }, labels: {}, subnets: ['172.20.0.0/16'], containers: [{ id: 'c1', name: 'w-1' }] });
    expect(await inspectNetwork(fake.request, 'b')).toBeUndefined();
    expect(fake.calls.map(([m, p]) => `${m} ${p}`)).toEqual(['GET /networks/a', 'GET /networks/b']);
  });

  it('reads the engine version', async () => {
    const fake = fakeEngine(() => ({ status: 200, body: { Version: '28.5.2+dfsg4', ApiVersion: '1.51' } }));
    expect((await engineInfo(fake.request)).version).toMatchObject({ major: 28, minor: 5, patch: 2 });
  });

  it('removes networks and containers, telling a refusal apart', async () => {
    const fake = fakeEngine((_method, path) => (path === '/networks/busy' ? { status: 403, body: { message: 'has active endpoints' } } : { status: 204, body: undefined }));
    expect(await removeNetwork(fake.request, 'busy')).toBe(false);
    expect(await removeNetwork(fake.request, 'free')).toBe(true);
    await removeContainers(fake.request, ['c1', 'c2']);
    expect(fake.calls.map(([m, p]) => `${m} ${p}`)).toEqual(['DELETE /networks/busy', 'DELETE /networks/free', 'DELETE /containers/c1?force=1', 'DELETE /containers/c2?force=1']);
  });

  describe('resolveEndpoint', () => {
    it('uses DOCKER_HOST, unix or plain tcp', () => {
      expect(resolveEndpoint({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toMatchObject({ socketPath: '/run/user/1000/docker.sock' });
      expect(resolveEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toMatchObject({ host: '127.0.0.1', port: 2375 });
    });

    it('refuses endpoints that cannot be this host’s socket', () => {
      expect(() => resolveEndpoint({ DOCKER_HOST: 'ssh://me@far' })).toThrow(/cannot use ssh/);
      expect(() => resolveEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1' })).toThrow(/cannot use tcp:\/\/127.0.0.1:2376/);
    });

    it('follows DOCKER_CONTEXT and currentContext to the context endpoint', () => {
      const config = mkdtempSync(join(tmpdir(), 'ipc-docker-config-'));
      const id = createHash('sha256').update('rootless').digest('hex');
      mkdirSync(join(config, 'contexts/meta', id), { recursive: true });
      writeFileSync(join(config, 'contexts/meta', id, 'meta.json'), JSON.stringify({ Name: 'rootless', Endpoints: { docker: { Host: 'unix:///run/user/1000/docker.sock' } } }));
      expect(resolveEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'rootless' })).toMatchObject({ socketPath: '/run/user/1000/docker.sock' });
      writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'rootless' }));
      expect(resolveEndpoint({ DOCKER_CONFIG: config })).toMatchObject({ socketPath: '/run/user/1000/docker.sock' });
      expect(resolveEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'default' })).toMatchObject({ socketPath: '/var/run/docker.sock' });
      expect(() => resolveEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'nope' })).toThrow(/context nope does not exist/);
    });
  });
});

describe('flock adapter', () => {
  it('takes the lock with flock on an inherited descriptor, then runs the work', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ipc-lock-')), 'x.lock');
    const seen: (number | undefined)[] = [];
    const calls: string[][] = [];
    const run: Runner = async (argv, options) => {
      calls.push([...argv]);
      seen.push(options?.fd3);
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    expect(await withFileLock(run, path, async () => 'done')).toBe('done');
    expect(calls).toEqual([['flock', '--exclusive', '--wait', '60', '3']]);
    expect(seen[0]).toEqual(expect.any(Number));
  });

  it('reports a lock it could not get in time as an environment error', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ipc-lock-')), 'x.lock');
    const busy: Runner = async () => ({ exitCode: 1, stdout: '', stderr: '' });
    await expect(withFileLock(busy, path, async () => 'never', 5)).rejects.toMatchObject({ exitCode: 3, message: expect.stringMatching(/could not lock .*x\.lock within 5 s/) });
  });

  it('runs the work unguarded where the lock file cannot be created', async () => {
    const run: Runner = async () => {
      throw new Error('flock must not run');
    };
    expect(await withFileLock(run, '/nonexistent-dir/x.lock', async () => 'done')).toBe('done');
  });
});

describe('ip adapter', () => {
  it('reads the main table’s IPv6 default routes, best first, gateways in their one spelling', async () => {
    const calls: string[][] = [];
    const run: Runner = async (argv) => {
      calls.push([...argv]);
      return {
        exitCode: 0,
        stdout: JSON.stringify([
          { dst: 'default', gateway: 'FD18:0:0:2::1', dev: 'eth1', metric: 4000 },
          { dst: 'default', gateway: 'fe80::1', dev: 'eth0', metric: 1024 },
          { dst: 'default', nexthops: [{ gateway: 'fe80::2', dev: 'eth2' }] },
        ]),
        stderr: '',
      };
    };
    expect(await ipDefaultRoutes6(run)).toEqual([
      { interface: 'eth0', gateway: 'fe80::1', metric: 1024 },
      { interface: 'eth1', gateway: 'fd18:0:0:2::1', metric: 4000 },
    ]);
    expect(calls).toEqual([['ip', '-j', '-6', 'route', 'show', 'table', 'main', 'default']]);
  });

  it('reads and writes one family at a time', async () => {
    const calls: [string[], string | undefined][] = [];
    const run: Runner = async (argv, options) => {
      calls.push([[...argv], options?.input]);
      return { exitCode: 0, stdout: '[{"priority":20000,"src":"fd00:1::","srclen":64,"table":"20001","protocol":"198"}]', stderr: '' };
    };
    expect(await ipRules(run, 6)).toEqual([{ priority: 20000, src: 'fd00:1::', srclen: 64, table: '20001', protocol: '198' }]);
    await ipBatch(run, 4, ['rule add from 10.0.0.0/24 lookup 20001 priority 20000 proto 198']);
    await ipBatch(run, 6, ['route flush table 20001 proto 198']);
    await ipBatch(run, 6, []);
    expect(calls).toEqual([
      [['ip', '-j', '-6', 'rule', 'show'], undefined],
      [['ip', '-batch', '-'], 'rule add from 10.0.0.0/24 lookup 20001 priority 20000 proto 198\n'],
      [['ip', '-6', '-batch', '-'], 'route flush table 20001 proto 198\n'],
    ]);
  });
});
