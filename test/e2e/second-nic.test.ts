import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeDown, ipcompose, project, service, sh } from './bench.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Packets the first peer received from the second NIC's address (an iptables counter in its namespace). */
async function firstPeerSaw(): Promise<number> {
  const r = await sh(['ip', 'netns', 'exec', 'ipc-peer', 'iptables', '-t', 'filter', '-L', 'INPUT', '-v', '-x', '-n']);
  const line = r.stdout.split('\n').find((l) => l.includes('198.18.1.11'));
  return Number(line?.trim().split(/\s+/)[0] ?? 0);
}

/** Which peer a connection to the "internet" host reached, and the source it saw. */
async function whoami(container: string, host = '198.18.99.1'): Promise<string> {
  return (await sh(['docker', 'exec', container, 'timeout', '5', 'wget', '-qO-', `http://${host}/whoami`])).stdout.trim();
}

/** Deletes ipcompose's ip rules behind its back. */
async function dropRules(family: '-4' | '-6' = '-4'): Promise<void> {
  await sh(['sh', '-c', `ip ${family} rule show | grep "proto 198" | sed "s/^[0-9]*:\\s*//" | while read -r r; do ip ${family} rule del $r; done`]);
  expect((await sh(['ip', family, 'rule', 'show'])).stdout).not.toContain('proto 198');
}

describe('an address on a second NIC', () => {
  it.each([
    ['a declared gateway', '{ ipv4: 198.18.1.11, gateway: 198.18.1.1 }', false],
    ['the NIC’s own default route', '198.18.1.11', true],
  ])('leaves through that NIC with the declared address, given %s', async (_label, declaration, hostRoute) => {
    await sh(['ip', 'netns', 'exec', 'ipc-peer', 'iptables', '-F', 'INPUT']);
    await sh(['ip', 'netns', 'exec', 'ipc-peer', 'iptables', '-A', 'INPUT', '-s', '198.18.1.11']);
    cleanups.push(() => sh(['ip', 'netns', 'exec', 'ipc-peer', 'iptables', '-F', 'INPUT']));
    // The counter works: without policy routing, traffic from that address goes to the first peer.
    await sh(['curl', '-s', '-m', '1', '--interface', '198.18.1.11', 'http://198.18.99.1/']);
    expect(await firstPeerSaw()).toBeGreaterThan(0);
    await sh(['ip', 'netns', 'exec', 'ipc-peer', 'iptables', '-Z', 'INPUT']);
    if (hostRoute) {
      // A second default route, worse than the host's own: how a second NIC usually comes up.
      expect((await sh(['ip', 'route', 'add', 'default', 'via', '198.18.1.1', 'dev', 'ipc-up1', 'metric', '4000'])).code).toBe(0);
      cleanups.push(() => sh(['ip', 'route', 'del', 'default', 'via', '198.18.1.1', 'dev', 'ipc-up1', 'metric', '4000']));
    }
    const dir = project({ 'compose.yaml': `name: e2e-nic2\nx-egress-ip: ${declaration}\nservices:\n  web:\n${service()}` }, 'e2e-nic2');
    cleanups.push(() => composeDown(dir, 'e2e-nic2'));

    const plan = await ipcompose(['plan', '--json'], { cwd: dir });
    const routing = JSON.parse(plan.stdout).actions.find((a: { kind: string }) => a.kind === 'policy-routing');
    expect(routing.networks[0]).toMatchObject({ name: 'e2e-nic2_default', interface: 'ipc-up1', gateway: '198.18.1.1' });

    const r = await ipcompose(['up', '-d'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(await whoami('e2e-nic2-web-1')).toBe('peer2 198.18.1.11');
    expect(await firstPeerSaw()).toBe(0);
    const rules = await sh(['ip', 'rule', 'show']);
    expect(rules.stdout).toMatch(/20000:\s+from \S+ lookup \d+ proto 198/);

    // reconcile restores routing removed behind ipcompose's back
    await dropRules();
    expect((await ipcompose(['reconcile'], { cwd: '/' })).status).toBe(0);
    expect(await whoami('e2e-nic2-web-1')).toBe('peer2 198.18.1.11');

    expect((await ipcompose(['down', '-t', '0'], { cwd: dir })).status).toBe(0);
    expect((await sh(['ip', 'rule', 'show'])).stdout).not.toContain('proto 198');
    expect((await sh(['ip', 'route', 'show', 'table', 'all'])).stdout).not.toContain('proto 198');
  });

  it('routes a running network adopted as it is, and reconcile routes it again from its containers’ labels', async () => {
    const name = 'e2e-nic2-adopt';
    const plain = `name: ${name}\nservices:\n  web:\n${service()}`;
    const dir = project({ 'compose.yaml': plain }, name);
    cleanups.push(() => composeDown(dir, name));
    expect((await sh(['docker', 'compose', '--project-directory', dir, 'up', '-d'])).code).toBe(0);
    const id = (await sh(['docker', 'network', 'inspect', '-f', '{{.Id}}', `${name}_default`])).stdout.trim();
    writeFileSync(join(dir, 'compose.yaml'), plain.replace('services:', 'x-egress-ip: { ipv4: 198.18.1.11, gateway: 198.18.1.1 }\nservices:'));

    const r = await ipcompose(['up', '-d'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect((await sh(['docker', 'network', 'inspect', '-f', '{{.Id}}', `${name}_default`])).stdout.trim()).toBe(id);
    expect(await whoami(`${name}-web-1`)).toBe('peer2 198.18.1.11');

    await dropRules();
    expect((await ipcompose(['reconcile'], { cwd: '/' })).status).toBe(0);
    expect(await whoami(`${name}-web-1`)).toBe('peer2 198.18.1.11');

    expect((await ipcompose(['down', '-t', '0'], { cwd: dir })).status).toBe(0);
    expect((await sh(['ip', 'rule', 'show'])).stdout).not.toContain('proto 198');
  });

  it('routes IPv6 through the NIC holding the address, via that NIC’s own IPv6 default route', async () => {
    // The second NIC's router, as router advertisements would install it: a second, worse default.
    expect((await sh(['ip', '-6', 'route', 'add', 'default', 'via', 'fd18:0:0:2::1', 'dev', 'ipc-up1', 'metric', '4000'])).code).toBe(0);
    cleanups.push(() => sh(['ip', '-6', 'route', 'del', 'default', 'via', 'fd18:0:0:2::1', 'dev', 'ipc-up1', 'metric', '4000']));
    const name = 'e2e-nic2-v6';
    const body = `name: ${name}\nx-egress-ip: { ipv4: 198.18.1.11, gateway: 198.18.1.1, ipv6: "fd18:0:0:2::11" }\nservices:\n  web:\n${service()}networks:\n  default:\n    enable_ipv6: true\n`;
    const dir = project({ 'compose.yaml': body }, name);
    cleanups.push(() => composeDown(dir, name));

    const plan = JSON.parse((await ipcompose(['plan', '--json'], { cwd: dir })).stdout);
    const routing = plan.actions.filter((a: { kind: string }) => a.kind === 'policy-routing');
    expect(routing.map((a: { family: number; argv: string[] }) => [a.family, a.argv])).toEqual([
      [4, ['ip', '-batch', '-']],
      [6, ['ip', '-6', '-batch', '-']],
    ]);
    expect(routing[1].networks[0]).toMatchObject({ name: `${name}_default`, interface: 'ipc-up1', gateway: 'fd18:0:0:2::1', prefix: 'fd18:0:0:2::/64' });

    const r = await ipcompose(['up', '-d'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(await whoami(`${name}-web-1`)).toBe('peer2 198.18.1.11');
    expect(await whoami(`${name}-web-1`, '[fd18:0:0:99::1]')).toBe('peer2 fd18:0:0:2::11');

    await dropRules('-6');
    expect((await ipcompose(['reconcile'], { cwd: '/' })).status).toBe(0);
    expect(await whoami(`${name}-web-1`, '[fd18:0:0:99::1]')).toBe('peer2 fd18:0:0:2::11');

    expect((await ipcompose(['down', '-t', '0'], { cwd: dir })).status).toBe(0);
    for (const family of ['-4', '-6']) {
      expect((await sh(['ip', family, 'rule', 'show'])).stdout).not.toContain('proto 198');
      expect((await sh(['ip', family, 'route', 'show', 'table', 'all'])).stdout).not.toContain('proto 198');
    }
  });
});
