import { copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fromPeer, IMAGE, ipcompose, PEER, PRIMARY, project, seenFrom, sh } from './bench.js';

const examples = join(dirname(fileURLToPath(import.meta.url)), '../../examples');
const PEER6 = 'fd18:0:0:1::fe';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function up(dir: string, env: NodeJS.ProcessEnv = {}, globals: string[] = []) {
  cleanups.push(() => ipcompose([...globals, 'down', '-t', '0'], { cwd: dir, env }));
  const r = await ipcompose([...globals, 'up', '-d'], { cwd: dir, env });
  expect(r.status, r.stderr).toBe(0);
}

async function verifyOk(dir: string, targets: string[], env: NodeJS.ProcessEnv = {}, globals: string[] = []) {
  const r = await ipcompose([...globals, 'verify', ...targets.flatMap((t) => ['--target', t])], { cwd: dir, env });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

describe('examples, brought up through ipcompose and verified', () => {
  it('quickstart: both directions on EGRESS_IP', async () => {
    const dir = join(examples, 'quickstart');
    const env = { EGRESS_IP: '198.18.0.16' };
    await up(dir, env);
    expect(await seenFrom('quickstart-web-1')).toBe('198.18.0.16');
    expect(await fromPeer('198.18.0.16', 8080)).toBe(true);
    expect(await fromPeer(PRIMARY, 8080)).toBe(false);
    await verifyOk(dir, [`http://${PEER}/`], env);
  });

  it('shared-tenants: each tenant’s stacks and docker run containers share its address', async () => {
    const tenants = [
      { TENANT: 'acme', EGRESS_IP: '198.18.0.11', WEB_PORT: '8081' },
      { TENANT: 'bolt', EGRESS_IP: '198.18.0.12', WEB_PORT: '8082' },
    ];
    for (const env of tenants) {
      cleanups.push(() => sh(['docker', 'network', 'rm', `${env.TENANT}-net`]));
      for (const stack of ['web', 'worker']) await up(examples, env, ['--project-directory', join('shared-tenants', stack)]);
    }
    for (const env of tenants) {
      expect(await seenFrom(`${env.TENANT}-web-web-1`)).toBe(env.EGRESS_IP);
      expect(await seenFrom(`${env.TENANT}-worker-worker-1`)).toBe(env.EGRESS_IP);
      expect(await fromPeer(env.EGRESS_IP, Number(env.WEB_PORT))).toBe(true);
      expect(await fromPeer(PRIMARY, Number(env.WEB_PORT))).toBe(false);
      const run = await sh(['docker', 'run', '--rm', '--pull', 'never', '--network', `${env.TENANT}-net`, IMAGE, 'timeout', '5', 'wget', '-qO-', `http://${PEER}/`]);
      expect(run.stdout.trim()).toBe(env.EGRESS_IP);
      await verifyOk(examples, [`http://${PEER}/`], env, ['--project-directory', join('shared-tenants', 'worker')]);
    }
  });

  it('mail-and-web: two services, two addresses, each published on its own', async () => {
    const dir = join(examples, 'mail-and-web');
    await up(dir);
    const out = await verifyOk(dir, [`http://${PEER}/`, `stun:${PEER}:3478`]);
    expect(out).toMatch(/mail +mail-and-web-mail-1 +http:\/\/198\.18\.0\.254\/ +198\.18\.0\.12 +198\.18\.0\.12 +ok +ok/);
    expect(out).toMatch(/web +mail-and-web-web-1 +http:\/\/198\.18\.0\.254\/ +198\.18\.0\.11 +198\.18\.0\.11/);
    expect(await fromPeer('198.18.0.11', 8080)).toBe(true);
    expect(await fromPeer('198.18.0.12', 8080)).toBe(false);
    const mailPort = await sh(['ip', 'netns', 'exec', 'ipc-peer', 'curl', '-s', '-m', '3', 'http://198.18.0.12:2525/']);
    expect(mailPort.stdout.trim()).toBe('ok');
    expect((await sh(['ip', 'netns', 'exec', 'ipc-peer', 'curl', '-s', '-m', '3', 'http://198.18.0.11:2525/'])).code).not.toBe(0);
    const db = await sh(['docker', 'exec', 'mail-and-web-mail-1', 'ping', '-c1', '-W2', 'db']);
    expect(db.code, db.stderr).toBe(0);
  });

  it('dual-stack: IPv4 and IPv6 egress, and the published port on both addresses only', async () => {
    const dir = join(examples, 'dual-stack');
    await up(dir);
    const out = await verifyOk(dir, [`http://${PEER}/`, `http://[${PEER6}]/`]);
    expect(out).toMatch(/app +dual-stack-app-1 +http:\/\/198\.18\.0\.254\/ +198\.18\.0\.13 +198\.18\.0\.13/);
    expect(out).toMatch(/app +dual-stack-app-1 +http:\/\/\[fd18:0:0:1::fe\]\/ +fd18:0:0:1::13 +fd18:0:0:1::13/);
    const nat6 = await sh(['ip6tables-save', '-t', 'nat']);
    expect(nat6.stdout).toMatch(/-j SNAT --to-source fd18:0:0:1::13/);
    expect(await fromPeer('198.18.0.13', 8090)).toBe(true);
    expect(await fromPeer('fd18:0:0:1::13', 8090)).toBe(true);
    expect(await fromPeer(PRIMARY, 8090)).toBe(false);
    expect(await fromPeer('fd18:0:0:1::1', 8090)).toBe(false);
  });

  it('porting: the README’s steps move a running stack to its own address', async () => {
    const dir = project({}, 'porting');
    copyFileSync(join(examples, 'porting', 'compose.yaml'), join(dir, 'compose.yaml'));
    cleanups.push(() => sh(['docker', 'compose', '--project-directory', dir, 'down', '-t', '0']));
    expect((await sh(['docker', 'compose', '--project-directory', dir, 'up', '-d'])).code).toBe(0);
    expect(await seenFrom('porting-app-1')).toBe(PRIMARY);
    expect((await ipcompose(['doctor'], { cwd: dir })).status).toBe(0);
    expect((await ipcompose(['init', '--ip', '198.18.0.14'], { cwd: dir })).status).toBe(0);
    const network = (await sh(['docker', 'network', 'inspect', 'porting_default', '--format', '{{.Id}}'])).stdout;
    const plan = await ipcompose(['plan'], { cwd: dir });
    expect(plan.stdout).toMatch(/porting_default +198\.18\.0\.14 +\(project\) +exists; ipcompose's SNAT rule/);
    await up(dir);
    expect((await sh(['docker', 'network', 'inspect', 'porting_default', '--format', '{{.Id}}'])).stdout).toBe(network);
    await verifyOk(dir, [`http://${PEER}/`]);
    expect(await fromPeer('198.18.0.14', 8070)).toBe(true);
    expect(await fromPeer(PRIMARY, 8070)).toBe(false);
  });
});
