import { afterEach, describe, expect, it } from 'vitest';
import { composeDown, EXTRA, IMAGE, ipcompose, PEER, project, service, sh } from './bench.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

// A service image with no shell and no HTTP client: verify must not need them.
async function barebonesImage(): Promise<string> {
  const name = 'ipcompose-test/no-shell:latest';
  if ((await sh(['docker', 'image', 'inspect', name])).code === 0) return name;
  const built = await sh(['sh', '-c', `docker create --name ipc-e2e-export ${IMAGE} && docker export ipc-e2e-export | tar -x -O bin/busybox > /tmp/ipc-busybox && docker rm ipc-e2e-export`]);
  expect(built.code, built.stderr).toBe(0);
  const r = await sh(['sh', '-c', `d=$(mktemp -d) && mkdir $d/bin && cp /tmp/ipc-busybox $d/bin/sleep && chmod +x $d/bin/sleep && tar -C $d -c . | docker import --change 'CMD ["/bin/sleep","86400"]' - ${name}`]);
  expect(r.code, r.stderr).toBe(0);
  return name;
}

describe('ipcompose verify', () => {
  it('passes when every service leaves from its address, over HTTP and STUN, with the right gateway', async () => {
    const image = await barebonesImage();
    const dir = project(
      {
        'compose.yaml': `name: e2e-verify\nx-egress-ip: ${EXTRA[0]}\nservices:\n  web:\n${service()}\n  mail:\n    image: ${image}\n    pull_policy: never\n    init: true\n    x-egress-ip: ${EXTRA[1]}\n`,
      },
      'e2e-verify',
    );
    cleanups.push(() => composeDown(dir, 'e2e-verify'));
    expect((await ipcompose(['up', '-d'], { cwd: dir })).status).toBe(0);
    const r = await ipcompose(['verify', '--target', `http://${PEER}/`, '--target', `stun:${PEER}:3478`], { cwd: dir });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`mail +e2e-verify-mail-1 +http://${PEER}/ +${EXTRA[1]} +${EXTRA[1]} +ok +ok`));
    expect(r.stdout).toMatch(new RegExp(`mail +e2e-verify-mail-1 +stun:${PEER}:3478 +${EXTRA[1]} +${EXTRA[1]} +ok +ok`));
    expect(r.stdout).toMatch(new RegExp(`web +e2e-verify-web-1 +http://${PEER}/ +${EXTRA[0]} +${EXTRA[0]}`));

    const json = await ipcompose(['verify', '--json'], { cwd: dir, env: { IPCOMPOSE_VERIFY_TARGET: `http://${PEER}/` } });
    const doc = JSON.parse(json.stdout) as { ok: boolean; checks: { service: string; ok: boolean; gatewayOk?: boolean }[] };
    expect(doc.ok).toBe(true);
    expect(doc.checks).toEqual(expect.arrayContaining([expect.objectContaining({ service: 'web', ok: true }), expect.objectContaining({ service: 'mail', ok: true, gatewayOk: true })]));
  });

  it('fails with a table of expected against seen when the SNAT rule is removed behind its back', async () => {
    const dir = project({ 'compose.yaml': `name: e2e-verify-bad\nx-egress-ip: ${EXTRA[2]}\nservices:\n  web:\n${service()}` }, 'e2e-verify-bad');
    cleanups.push(() => composeDown(dir, 'e2e-verify-bad'));
    expect((await ipcompose(['up', '-d'], { cwd: dir })).status).toBe(0);
    const rule = (await sh(['iptables-save', '-t', 'nat'])).stdout.split('\n').find((l) => l.includes(`--to-source ${EXTRA[2]}`));
    expect(rule).toBeDefined();
    expect((await sh(['iptables', '-t', 'nat', ...rule!.replace(/^-A /, '-D ').split(' ')])).code).toBe(0);
    // Without its rule the network falls back to a MASQUERADE of our own making, as a host without the option would.
    const subnet = /-s (\S+)/.exec(rule!)![1]!;
    await sh(['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', subnet, '-j', 'MASQUERADE']);
    cleanups.push(() => sh(['iptables', '-t', 'nat', '-D', 'POSTROUTING', '-s', subnet, '-j', 'MASQUERADE']));
    const r = await ipcompose(['verify', '--target', `http://${PEER}/`], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/SERVICE +CONTAINER +TARGET +EXPECTED +SEEN/);
    expect(r.stdout).toMatch(new RegExp(`web +e2e-verify-bad-web-1 +http://${PEER}/ +${EXTRA[2]} +198\\.18\\.0\\.1 .*FAIL: left from 198\\.18\\.0\\.1, not ${EXTRA[2]}`));
  });

  it('refuses to run without a probe target', async () => {
    const dir = project({ 'compose.yaml': `x-egress-ip: ${EXTRA[0]}\nservices:\n  web:\n${service()}` });
    const r = await ipcompose(['verify'], { cwd: dir, env: { IPCOMPOSE_VERIFY_TARGET: '' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/hint: pass --target/);
  });
});
