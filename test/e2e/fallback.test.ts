import { readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { composeDown, EXTRA, fromPeer, ipcompose, PEER, PRIMARY, project, seenFrom, service, sh } from './bench.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const CHAIN = 'IPCOMPOSE-POSTROUTING';
const natRules = async (tool = 'iptables-save') => (await sh([tool, '-t', 'nat'])).stdout.split('\n').filter((l) => l.startsWith('-A ') || l.startsWith(':'));

/** A PATH on which iptables-restore runs `before`, the real one, then `after`. */
async function wrappedRestore(name: string, before: string[], after: string[]): Promise<string> {
  const real = (await sh(['sh', '-c', 'command -v iptables-restore'])).stdout.trim();
  const bin = project({ 'iptables-restore': ['#!/bin/sh', ...before, `${real} "$@" || exit $?`, ...after, ''].join('\n') }, name);
  await sh(['chmod', '+x', join(bin, 'iptables-restore')]);
  return `${bin}:${process.env.PATH}`;
}

function stack(name: string, body: string): string {
  const dir = project({ 'compose.yaml': `name: ${name}\n${body}` }, name);
  cleanups.push(() => composeDown(dir, name));
  return dir;
}

describe('adopting a running stack (fallback SNAT)', () => {
  it('gives a stack started by plain compose its address without recreating its network', async () => {
    const dir = stack('e2e-adopt-fb', `services:\n  web:\n${service('    ports: ["18091:80"]')}`);
    expect((await sh(['docker', 'compose', '--project-directory', dir, 'up', '-d'])).code).toBe(0);
    expect(await seenFrom('e2e-adopt-fb-web-1')).toBe(PRIMARY);
    expect(await fromPeer(PRIMARY, 18091)).toBe(true);
    const before = (await sh(['docker', 'network', 'inspect', 'e2e-adopt-fb_default', '--format', '{{.Id}}'])).stdout;

    const file = join(dir, 'compose.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nx-egress-ip: ${EXTRA[6]}\n`);
    const r = await ipcompose(['up', '-d'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`e2e-adopt-fb_default: egress ${EXTRA[6]} \\(fallback\\)`));

    expect((await sh(['docker', 'network', 'inspect', 'e2e-adopt-fb_default', '--format', '{{.Id}}'])).stdout).toBe(before);
    expect(await seenFrom('e2e-adopt-fb-web-1')).toBe(EXTRA[6]);
    expect(await fromPeer(EXTRA[6], 18091)).toBe(true);
    expect(await fromPeer(PRIMARY, 18091)).toBe(false);

    const rules = await natRules();
    expect(rules.filter((l) => l === `-A POSTROUTING -j ${CHAIN}`)).toHaveLength(1);
    expect(rules.find((l) => l.startsWith('-A POSTROUTING '))).toBe(`-A POSTROUTING -j ${CHAIN}`);
    expect(rules).toContainEqual(expect.stringMatching(new RegExp(`^-A ${CHAIN} -s \\S+ ! -o br-\\w+ -m comment --comment "ipcompose project=e2e-adopt-fb network=e2e-adopt-fb_default" -j SNAT --to-source ${EXTRA[6]}$`)));

    // Running up again changes nothing.
    const again = await ipcompose(['up', '-d'], { cwd: dir });
    expect(again.status).toBe(0);
    expect(await natRules()).toEqual(rules);

    const status = await ipcompose(['status'], { cwd: dir });
    expect(status.stdout).toMatch(new RegExp(`e2e-adopt-fb_default +e2e-adopt-fb +${EXTRA[6]} +fallback +v4 present, first`));
    const verify = await ipcompose(['verify', '--target', `http://${PEER}/`], { cwd: dir });
    expect(verify.status, verify.stdout).toBe(0);

    const down = await ipcompose(['down', '-t', '0'], { cwd: dir });
    expect(down.status).toBe(0);
    expect((await natRules()).some((l) => l.includes(CHAIN))).toBe(false);
  });
});

describe('--snat iptables', () => {
  it('uses only ipcompose’s chain, and leaves iptables and ip6tables as they were after down', async () => {
    const strip = (lines: string[]) => lines.map((l) => l.replace(/\[\d+:\d+\]/g, ''));
    const before4 = strip(await natRules());
    const before6 = strip(await natRules('ip6tables-save'));
    const filter4 = strip((await sh(['iptables-save'])).stdout.split('\n').filter((l) => !l.startsWith('#')));
    const dir = stack('e2e-iptables', `x-egress-ip: ${EXTRA[5]}\nservices:\n  web:\n${service('    ports: ["18092:80"]')}`);
    const r = await ipcompose(['up', '--snat', 'iptables', '-d'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const options = await sh(['docker', 'network', 'inspect', 'e2e-iptables_default', '--format', '{{json .Options}}']);
    expect(options.stdout).not.toContain('host_ipv4');
    expect(await seenFrom('e2e-iptables-web-1')).toBe(EXTRA[5]);
    expect(await fromPeer(EXTRA[5], 18092)).toBe(true);
    expect(await fromPeer(PRIMARY, 18092)).toBe(false);
    expect((await ipcompose(['down', '-t', '0'], { cwd: dir })).status).toBe(0);
    expect(strip(await natRules())).toEqual(before4);
    expect(strip(await natRules('ip6tables-save'))).toEqual(before6);
    expect(strip((await sh(['iptables-save'])).stdout.split('\n').filter((l) => !l.startsWith('#')))).toEqual(filter4);
  });

  it("down removes only its own project's rules", async () => {
    const a = stack('e2e-fb-a', `x-egress-ip: ${EXTRA[3]}\nservices:\n  web:\n${service()}`);
    const b = stack('e2e-fb-b', `x-egress-ip: ${EXTRA[4]}\nservices:\n  web:\n${service()}`);
    for (const dir of [a, b]) expect((await ipcompose(['up', '--snat', 'iptables', '-d'], { cwd: dir })).status).toBe(0);
    expect((await ipcompose(['down', '-t', '0'], { cwd: a })).status).toBe(0);
    const rules = await natRules();
    expect(rules.some((l) => l.includes('project=e2e-fb-a '))).toBe(false);
    expect(rules.some((l) => l.includes('project=e2e-fb-b '))).toBe(true);
    expect(await seenFrom('e2e-fb-b-web-1')).toBe(EXTRA[4]);
  });

  it('runs started at once (make -j) keep each other’s rules', async () => {
    const names = ['e2e-fb-j1', 'e2e-fb-j2', 'e2e-fb-j3', 'e2e-fb-j4'];
    const dirs = names.map((name, i) => stack(name, `x-egress-ip: ${EXTRA[i]}\nservices:\n  web:\n${service()}`));
    const mine = async () => (await natRules()).filter((l) => names.some((n) => l.includes(`project=${n} `)));
    // A slow firewall widens the time between reading the chain and writing
    // it back: unguarded, runs overlapping there drop each other's rules.
    const env = { PATH: await wrappedRestore('slow-firewall', ['sleep 0.5'], []) };
    for (let round = 0; round < 2; round++) {
      const ups = await Promise.all(dirs.map((cwd) => ipcompose(['up', '--snat', 'iptables', '-d'], { cwd, env })));
      for (const r of ups) expect(r.status, r.stderr).toBe(0);
      expect(await mine()).toHaveLength(4);
      const downs = await Promise.all(dirs.map((cwd) => ipcompose(['down', '-t', '0'], { cwd, env })));
      for (const r of downs) expect(r.status, r.stderr).toBe(0);
      expect(await mine()).toHaveLength(0);
    }
  });

  it('waits for the host lock that another run holds', async () => {
    const holder = spawn('flock', ['--exclusive', '/run/ipcompose.lock', 'sleep', '2']);
    cleanups.push(async () => holder.kill());
    while ((await sh(['flock', '--nonblock', '/run/ipcompose.lock', 'true'])).code === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    const r = await ipcompose(['reconcile'], { cwd: '/' });
    expect(r.status, r.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThan(1000);
  });

  it('fails, and takes back its rules and what compose created, when another tool puts a MASQUERADE ahead of its chain', async () => {
    // A firewall manager racing ipcompose: right after each nat batch it
    // inserts a catch-all MASQUERADE at the top of POSTROUTING (once).
    const PATH = await wrappedRestore('racing-firewall', [], [
      'iptables -t nat -C POSTROUTING -o ipc-up0 -j MASQUERADE 2>/dev/null || iptables -t nat -I POSTROUTING 1 -o ipc-up0 -j MASQUERADE',
    ]);
    cleanups.push(() => sh(['iptables', '-t', 'nat', '-D', 'POSTROUTING', '-o', 'ipc-up0', '-j', 'MASQUERADE']));
    const dir = stack('e2e-fb-race', `x-egress-ip: ${EXTRA[5]}\nservices:\n  web:\n${service()}`);

    const r = await ipcompose(['up', '--snat', 'iptables', '-d'], { cwd: dir, env: { PATH } });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/cannot place ipcompose's SNAT rule ahead of a MASQUERADE for \d+\.\d+\.\d+\.\d+\/\d+/);
    expect(r.stderr).toMatch(/hint: .*iptables -t nat -S POSTROUTING/);
    expect((await natRules()).some((l) => l.includes('project=e2e-fb-race '))).toBe(false);
    expect(r.stderr).toContain('removed what compose created for e2e-fb-race again');
    expect((await sh(['docker', 'container', 'inspect', 'e2e-fb-race-web-1'])).code).not.toBe(0);
    expect((await sh(['docker', 'network', 'inspect', 'e2e-fb-race_default'])).code).not.toBe(0);
  });
});


describe('IPv6 through the fallback', () => {
  it('a dual-stack network gets its IPv6 egress from an ip6tables rule of ipcompose', async () => {
    const dir = stack(
      'e2e-fb-v6',
      `x-egress-ip: { ipv4: ${EXTRA[0]}, ipv6: "fd18:0:0:1::17" }\nservices:\n  web:\n${service()}\nnetworks:\n  default:\n    enable_ipv6: true\n`,
    );
    const r = await ipcompose(['up', '--snat', 'iptables', '-d'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const v6 = await sh(['docker', 'exec', 'e2e-fb-v6-web-1', 'timeout', '5', 'wget', '-qO-', 'http://[fd18:0:0:1::fe]/']);
    expect(v6.stdout.trim()).toBe('fd18:0:0:1::17');
    expect(await seenFrom('e2e-fb-v6-web-1')).toBe(EXTRA[0]);
    const rules6 = (await sh(['ip6tables-save', '-t', 'nat'])).stdout;
    expect(rules6).toMatch(/-A IPCOMPOSE-POSTROUTING -s \S+ ! -o br-\w+ -m comment --comment "ipcompose project=e2e-fb-v6 network=e2e-fb-v6_default" -j SNAT --to-source fd18:0:0:1::17/);
    expect((await ipcompose(['down', '-t', '0'], { cwd: dir })).status).toBe(0);
    expect((await sh(['ip6tables-save', '-t', 'nat'])).stdout).not.toContain('IPCOMPOSE');
  });
});

describe('ipcompose reconcile', () => {
  const startEngine = join(dirname(fileURLToPath(import.meta.url)), '../bench/start-engine.sh');

  it('brings egress back after iptables -t nat -F and after a dockerd restart', async () => {
    const adopted = stack('e2e-rec-fb', `services:\n  web:\n${service('    restart: always')}`);
    const native = stack('e2e-rec-nat', `x-egress-ip: ${EXTRA[2]}\nservices:\n  web:\n${service('    restart: always')}`);
    expect((await sh(['docker', 'compose', '--project-directory', adopted, 'up', '-d'])).code).toBe(0);
    writeFileSync(join(adopted, 'compose.yaml'), `${readFileSync(join(adopted, 'compose.yaml'), 'utf8')}\nx-egress-ip: ${EXTRA[1]}\n`);
    for (const dir of [adopted, native]) expect((await ipcompose(['up', '-d'], { cwd: dir })).status).toBe(0);
    expect(await seenFrom('e2e-rec-fb-web-1')).toBe(EXTRA[1]);
    expect(await seenFrom('e2e-rec-nat-web-1')).toBe(EXTRA[2]);

    // 1. Someone flushes the nat table: Docker's rules and ours are gone.
    await sh(['iptables', '-t', 'nat', '-F']);
    await sh(['iptables', '-t', 'nat', '-X', CHAIN]);
    expect(await seenFrom('e2e-rec-fb-web-1')).not.toBe(EXTRA[1]);
    const r = await ipcompose(['reconcile'], { cwd: '/' });
    expect(r.status, r.stderr).toBe(0);
    expect(await seenFrom('e2e-rec-fb-web-1')).toBe(EXTRA[1]);
    expect(await seenFrom('e2e-rec-nat-web-1')).toBe(EXTRA[2]);

    // 2. dockerd restarts: it rebuilds its own rules, ahead of our jump.
    await sh(['sh', '-c', 'pkill -x dockerd; for i in $(seq 1 50); do pgrep -x dockerd >/dev/null || break; sleep 0.2; done']);
    expect((await sh(['bash', startEngine])).code).toBe(0);
    for (let i = 0; i < 50 && !(await sh(['docker', 'inspect', '-f', '{{.State.Running}}', 'e2e-rec-fb-web-1'])).stdout.includes('true'); i++) {
      await new Promise((done) => setTimeout(done, 200));
    }
    expect((await ipcompose(['reconcile'], { cwd: '/' })).status).toBe(0);
    expect(await seenFrom('e2e-rec-fb-web-1')).toBe(EXTRA[1]);
    expect(await seenFrom('e2e-rec-nat-web-1')).toBe(EXTRA[2]);
    const rules = await natRules();
    expect(rules.find((l) => l.startsWith('-A POSTROUTING '))).toBe(`-A POSTROUTING -j ${CHAIN}`);
  }, 240_000);
});
