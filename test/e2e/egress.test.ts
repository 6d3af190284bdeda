import { afterEach, describe, expect, it } from 'vitest';
import {
  composeDown,
  EXTRA,
  fromPeer,
  hostState,
  IMAGE,
  ipcompose,
  PRIMARY,
  project,
  seenFrom,
  service,
  sh,
} from './bench.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function stack(name: string, body: string, extraFiles: Record<string, string> = {}): string {
  const dir = project({ 'compose.yaml': `name: ${name}\n${body}`, ...extraFiles }, name);
  cleanups.push(() => composeDown(dir, name));
  return dir;
}

async function upOk(dir: string, args: string[] = ['up', '-d']) {
  const r = await ipcompose(args, { cwd: dir });
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.status, r.stderr).toBe(0);
  return r;
}

describe('ipcompose up gives declared addresses in both directions', () => {
  it('project-wide declaration: outbound leaves from it, published ports answer on it only', async () => {
    const dir = stack(
      'e2e-project',
      `x-egress-ip: ${EXTRA[0]}
services:
  web:
${service('    ports: ["18081:80"]')}`,
    );
    await upOk(dir);
    expect(await seenFrom('e2e-project-web-1')).toBe(EXTRA[0]);
    expect(await fromPeer(EXTRA[0], 18081)).toBe(true);
    expect(await fromPeer(PRIMARY, 18081)).toBe(false);
    expect(await fromPeer(EXTRA[1], 18081)).toBe(false);
  });

  it('network declaration: services on that network use it, the rest of the project does not', async () => {
    const dir = stack(
      'e2e-network',
      `services:
  web:
${service(`    ports: ["18082:80"]
    networks: [public]`)}
  plain:
${service('    ports: ["18083:80"]')}
networks:
  public:
    x-egress-ip: ${EXTRA[1]}`,
    );
    await upOk(dir);
    expect(await seenFrom('e2e-network-web-1')).toBe(EXTRA[1]);
    expect(await fromPeer(EXTRA[1], 18082)).toBe(true);
    expect(await fromPeer(PRIMARY, 18082)).toBe(false);
    // The undeclared default network behaves exactly as before.
    expect(await seenFrom('e2e-network-plain-1')).toBe(PRIMARY);
    expect(await fromPeer(PRIMARY, 18083)).toBe(true);
  });

  it('service declaration on a service that is also on a second network: both directions use the service address', async () => {
    const dir = stack(
      'e2e-service',
      `x-egress-ip: ${EXTRA[1]}
services:
  mail:
${service(`    x-egress-ip: ${EXTRA[2]}
    ports: ["18084:80"]
    networks: [default, back]`)}
  db:
${service('    networks: [back]')}
networks:
  back: {}`,
    );
    await upOk(dir);
    expect(await seenFrom('e2e-service-mail-1')).toBe(EXTRA[2]);
    expect(await fromPeer(EXTRA[2], 18084)).toBe(true);
    expect(await fromPeer(EXTRA[1], 18084)).toBe(false);
    expect(await fromPeer(PRIMARY, 18084)).toBe(false);
    // Its other networks stay for internal traffic.
    const internal = await sh(['docker', 'exec', 'e2e-service-mail-1', 'timeout', '5', 'wget', '-qO-', 'http://db/']);
    expect(internal.stdout.trim()).toBe('ok');
    expect(await seenFrom('e2e-service-db-1')).toBe(EXTRA[1]);
  });

  it('a stack without a declaration still leaves through the primary address', async () => {
    const dir = stack(
      'e2e-plain',
      `services:
  web:
${service('    ports: ["18085:80"]')}`,
    );
    const r = await upOk(dir);
    expect(r.stderr).toMatch(/declares no x-egress-ip/);
    expect(await seenFrom('e2e-plain-web-1')).toBe(PRIMARY);
    expect(await fromPeer(PRIMARY, 18085)).toBe(true);
  });

  it('a declared external network is created once, shared by two projects and by plain docker run', async () => {
    const shared = 'ipc-e2e-shared';
    cleanups.push(() => sh(['docker', 'network', 'rm', shared]));
    const body = (port: number) => `services:
  app:
${service(`    ports: ["${port}:80"]
    networks: [shared]`)}
networks:
  shared:
    external: true
    name: ${shared}
    x-egress-ip: ${EXTRA[3]}`;
    const a = stack('e2e-tenant-a', body(18086));
    const b = stack('e2e-tenant-b', body(18087));
    const first = await upOk(a);
    expect(first.stderr).toMatch(new RegExp(`creating network ${shared}`));
    const second = await upOk(b);
    expect(second.stderr).not.toMatch(/creating network/);

    const labels = await sh(['docker', 'network', 'inspect', shared, '--format', '{{json .Labels}}']);
    expect(JSON.parse(labels.stdout)).toMatchObject({ 'io.ipcompose.created': 'true', 'io.ipcompose.egress.ipv4': EXTRA[3] });
    expect(await seenFrom('e2e-tenant-a-app-1')).toBe(EXTRA[3]);
    expect(await seenFrom('e2e-tenant-b-app-1')).toBe(EXTRA[3]);
    expect(await fromPeer(EXTRA[3], 18086)).toBe(true);
    expect(await fromPeer(EXTRA[3], 18087)).toBe(true);
    expect(await fromPeer(PRIMARY, 18087)).toBe(false);
    const run = await sh(['docker', 'run', '--rm', '--pull', 'never', '--network', shared, IMAGE, 'timeout', '5', 'wget', '-qO-', 'http://198.18.0.254/']);
    expect(run.stdout.trim()).toBe(EXTRA[3]);
  });

  it('${VAR} from .env gives the address', async () => {
    const dir = stack(
      'e2e-dotenv',
      `x-egress-ip: \${EGRESS_IP}
services:
  web:
${service()}`,
      { '.env': `EGRESS_IP=${EXTRA[4]}\n` },
    );
    await upOk(dir);
    expect(await seenFrom('e2e-dotenv-web-1')).toBe(EXTRA[4]);
  });
});

describe('bad input changes nothing on the host', () => {
  const cases: [string, string, RegExp][] = [
    ['an invalid address', `x-egress-ip: 198.18.0.300\nservices:\n  web:\n${service()}`, /x-egress-ip: "198\.18\.0\.300" is not an IP address/],
    [
      'an address not on the host',
      `services:\n  web:\n${service('    x-egress-ip: 198.18.1.77')}`,
      /services\.web\.x-egress-ip: "198\.18\.1\.77" is not assigned to any interface/,
    ],
    [
      'driver_opts that contradict the declaration',
      `services:\n  web:\n${service('    networks: [pub]')}\nnetworks:\n  pub:\n    driver_opts:\n      com.docker.network.host_ipv4: ${EXTRA[1]}\n    x-egress-ip: ${EXTRA[0]}`,
      /contradicts driver_opts com\.docker\.network\.host_ipv4/,
    ],
    [
      'a service on two networks with different addresses',
      `services:\n  web:\n${service('    networks: [a, b]')}\nnetworks:\n  a:\n    x-egress-ip: ${EXTRA[0]}\n  b:\n    x-egress-ip: ${EXTRA[1]}`,
      /services\.web\.networks: .* put service web on networks with different egress addresses/,
    ],
    [
      'a declared external network next to a bad service address',
      `services:\n  web:\n${service(`    networks: [ext]\n    x-egress-ip: 198.18.1.78`)}\nnetworks:\n  ext:\n    external: true\n    name: ipc-e2e-never\n    x-egress-ip: ${EXTRA[0]}`,
      /198\.18\.1\.78" is not assigned/,
    ],
  ];

  it.each(cases)('%s: one line naming file and key, a hint, exit status 2, networks and nat table as they were', async (_label, body, message) => {
    const dir = stack('e2e-bad', body);
    const before = await hostState();
    const r = await ipcompose(['up', '-d'], { cwd: dir });
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^ipcompose: error: compose\.yaml(:\d+)?: /);
    expect(lines[0]).toMatch(message);
    expect(lines[1]).toMatch(/^ {2}hint: /);
    expect(await hostState()).toEqual(before);
  });

  it('compose rejecting the file: compose’s own reason, exit status 2', async () => {
    const dir = stack('e2e-invalid', `services:\n  web:\n    image: ${IMAGE}\n    ports: "not-a-list"\n`);
    const direct = await sh(['docker', 'compose', 'config']).then(() => sh(['docker', 'compose', '--project-directory', dir, 'config']));
    const r = await ipcompose(['up', '-d'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(direct.code).not.toBe(0);
    expect(r.stderr).toContain(direct.stderr.trim().split('\n')[0]!);
  });

  it('undoes the networks it created when compose then fails', async () => {
    const net = 'ipc-e2e-undo';
    cleanups.push(() => sh(['docker', 'network', 'rm', net]));
    const dir = stack(
      'e2e-undo',
      `services:\n  web:\n    image: ipcompose-test/absent:never\n    pull_policy: never\n    networks: [ext]\nnetworks:\n  ext:\n    external: true\n    name: ${net}\n    x-egress-ip: ${EXTRA[0]}`,
    );
    const r = await ipcompose(['up', '-d'], { cwd: dir });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`creating network ${net}`));
    expect((await sh(['docker', 'network', 'inspect', net])).code).not.toBe(0);
  });
});

describe('hand-over to compose', () => {
  it("exits with compose's own status for pass-through commands", async () => {
    const dir = stack('e2e-status', `services:\n  web:\n${service()}`);
    const direct = await sh(['docker', 'compose', '--project-directory', dir, 'ps', '--no-such-flag']);
    const r = await ipcompose(['ps', '--no-such-flag'], { cwd: dir });
    expect(direct.code).not.toBe(0);
    expect(r.status).toBe(direct.code);
  });

  it('passes the same files and override to other subcommands', async () => {
    const dir = stack('e2e-pass', `x-egress-ip: ${EXTRA[0]}\nservices:\n  web:\n${service()}`);
    await upOk(dir);
    const r = await ipcompose(['-v', 'ps', '--format', '{{.Name}}'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('e2e-pass-web-1');
    expect(r.stderr).toMatch(/-f \S+\.override\.yaml ps/);
  });

  it('keeps NODE_EXTRA_CA_CERTS away from its own Node start-up but passes it on to compose', async () => {
    const dir = stack('e2e-ca', `services:\n  web:\n${service('    labels:\n      - "ca=${NODE_EXTRA_CA_CERTS}"\n')}`);
    // A file that does not exist: Node warns at start-up when it reads the variable.
    const r = await ipcompose(['config', '--format', 'json'], { cwd: dir, env: { NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('extra certs');
    expect(JSON.parse(r.stdout).services.web.labels).toEqual({ ca: '/nonexistent/ca.pem' });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('forwards %s to compose and exits when compose does', async (signal) => {
    const dir = stack('e2e-signal', `x-egress-ip: ${EXTRA[0]}\nservices:\n  web:\n${service()}`);
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('./bench.js');
    const child = spawn(CLI, ['up'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 100 && !(await sh(['docker', 'inspect', '-f', '{{.State.Running}}', 'e2e-signal-web-1'])).stdout.includes('true'); i++) {
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill(signal);
    const code = await exited;
    expect(code, out).not.toBeNull();
    const state = await sh(['docker', 'inspect', '-f', '{{.State.Running}}', 'e2e-signal-web-1']);
    expect(state.stdout.trim()).toBe('false');
  });
});

describe('networks that already exist without the options', () => {
  it('with --snat native, an external network is never used silently; --recreate replaces it', async () => {
    const net = 'ipc-e2e-bare';
    await sh(['docker', 'network', 'create', net]);
    cleanups.push(() => sh(['docker', 'network', 'rm', net]));
    const dir = stack(
      'e2e-recreate',
      `services:\n  web:\n${service('    networks: [ext]')}\nnetworks:\n  ext:\n    external: true\n    name: ${net}\n    x-egress-ip: ${EXTRA[5]}`,
    );
    const before = await hostState();
    const refused = await ipcompose(['up', '--snat', 'native', '-d'], { cwd: dir });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`network ${net} exists without the egress options`));
    expect(refused.stderr).toMatch(/hint: run `ipcompose up --recreate`/);
    expect(await hostState()).toEqual(before);

    await upOk(dir, ['up', '--snat', 'native', '--recreate', '-d']);
    expect(await seenFrom('e2e-recreate-web-1')).toBe(EXTRA[5]);
    const options = await sh(['docker', 'network', 'inspect', net, '--format', '{{index .Options "com.docker.network.host_ipv4"}}']);
    expect(options.stdout.trim()).toBe(EXTRA[5]);
  });

  it('with --snat native, a stack first started by plain compose gets its address through compose’s config hash', async () => {
    const dir = stack('e2e-adopt', `services:\n  web:\n${service('    ports: ["18088:80"]')}`);
    const plain = await sh(['docker', 'compose', '--project-directory', dir, 'up', '-d']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(await seenFrom('e2e-adopt-web-1')).toBe(PRIMARY);
    const { writeFileSync, readFileSync } = await import('node:fs');
    const file = `${dir}/compose.yaml`;
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nx-egress-ip: ${EXTRA[5]}\n`);
    const r = await upOk(dir, ['up', '--snat', 'native', '-d']);
    expect(r.stderr).toMatch(/compose replaces network e2e-adopt_default/);
    expect(await seenFrom('e2e-adopt-web-1')).toBe(EXTRA[5]);
    expect(await fromPeer(EXTRA[5], 18088)).toBe(true);
    expect(await fromPeer(PRIMARY, 18088)).toBe(false);
  });
});
