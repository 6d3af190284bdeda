import { describe, expect, it } from 'vitest';
import { composeConfig, composeVersion, globalArgs } from '../../src/adapters/compose.js';
import { createNetworkArgv, engineInfo, inspectNetworks } from '../../src/adapters/docker.js';
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
  it('builds the global flags with the file list made explicit', () => {
    expect(
      globalArgs({ ...emptyGlobals(), projectName: 'p', projectDirectory: 'd', profiles: ['a', 'b'], envFiles: ['e'], extra: ['--ansi', 'never'] }, ['/x/compose.yaml', '/o.yaml']),
    ).toEqual(['-f', '/x/compose.yaml', '-f', '/o.yaml', '-p', 'p', '--project-directory', 'd', '--profile', 'a', '--profile', 'b', '--env-file', 'e', '--ansi', 'never']);
  });

  it('asks for the version and refuses Compose v1 with the way to upgrade', async () => {
    const v2 = fakeRunner(() => ({ stdout: '2.40.3-3\n' }));
    expect((await composeVersion(v2.run, '/bin/docker-compose')).minor).toBe(40);
    expect(v2.calls).toEqual([['/bin/docker-compose', 'version', '--short']]);
    const v1 = fakeRunner(() => ({ stdout: '1.29.2\n' }));
    await expect(composeVersion(v1.run, 'docker-compose')).rejects.toMatchObject({ exitCode: 3, message: expect.stringMatching(/Compose v1 \(1\.29\.2\)/), hint: expect.stringMatching(/install Compose v2/) });
  });

  it('reads config as YAML and reports compose’s reason without its warnings', async () => {
    const ok = fakeRunner(() => ({ stdout: 'name: p\nservices:\n  web:\n    x-egress-ip: 203.0.113.5\n' }));
    expect(await composeConfig(ok.run, 'dc', ['-f', 'c.yaml'])).toEqual({ name: 'p', services: { web: { 'x-egress-ip': '203.0.113.5' } } });
    expect(ok.calls).toEqual([['dc', '-f', 'c.yaml', 'config']]);
    const bad = fakeRunner(() => ({ exitCode: 15, stderr: 'time="x" level=warning msg="unset"\nservices.web.ports must be a list\n' }));
    await expect(composeConfig(bad.run, 'dc', [])).rejects.toMatchObject({ exitCode: 2, message: 'compose rejected the project: services.web.ports must be a list' });
  });
});

describe('docker adapter', () => {
  it('creates a network with options, labels and IPv6 as argv', () => {
    expect(createNetworkArgv({ name: 'n', options: { 'o.a': '1' }, labels: { 'l.b': '2' }, ipv6: true })).toEqual([
      'docker', 'network', 'create', '--driver', 'bridge', '--opt', 'o.a=1', '--label', 'l.b=2', '--ipv6', 'n',
    ]);
  });

  it('inspects all networks in one call and treats missing ones as absent', async () => {
    const fake = fakeRunner(() => ({
      exitCode: 1,
      stdout: JSON.stringify([{ Id: 'i', Name: 'a', Driver: 'bridge', Options: { k: 'v' }, Labels: null, IPAM: { Config: [{ Subnet: '172.20.0.0/16' }] }, Containers: { c1: { Name: 'w-1' } } }]),
      stderr: 'Error response from daemon: network b not found\n',
    }));
    const found = await inspectNetworks(fake.run, ['a', 'b']);
    expect(fake.calls).toEqual([['docker', 'network', 'inspect', 'a', 'b']]);
    expect([...found.keys()]).toEqual(['a']);
    expect(found.get('a')).toMatchObject({ options: { k: 'v' }, labels: {}, subnets: ['172.20.0.0/16'], containers: [{ id: 'c1', name: 'w-1' }] });
  });

  it('turns an unreachable engine into an environment error with a hint', async () => {
    const fake = fakeRunner(() => ({ exitCode: 1, stdout: 'null\n', stderr: 'permission denied while trying to connect to the Docker daemon socket' }));
    await expect(engineInfo(fake.run)).rejects.toMatchObject({ exitCode: 3, hint: expect.stringMatching(/docker group/) });
    expect(fake.calls).toEqual([['docker', 'version', '--format', '{{json .Server}}']]);
  });
});
