import { afterEach, describe, expect, it } from 'vitest';
import { composeDown, EXTRA, hostState, ipcompose, project, service, sh } from './bench.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function everything() {
  const rules = await sh(['ip', 'rule', 'show']);
  const rules6 = await sh(['ip', '-6', 'rule', 'show']);
  const nat6 = await sh(['ip6tables-save', '-t', 'nat']);
  return { ...(await hostState()), rules: rules.stdout + rules6.stdout, nat6: nat6.stdout.split('\n').filter((l) => !l.startsWith('#')).join('\n') };
}

describe('ipcompose plan', () => {
  const body = `x-egress-ip: ${EXTRA[0]}
services:
  web:
${service('    networks: [shared]')}
  mail:
${service(`    x-egress-ip: ${EXTRA[1]}`)}
networks:
  shared:
    external: true
    name: ipc-e2e-plan-shared
    x-egress-ip: ${EXTRA[2]}`;

  it('lists every action in order and changes nothing (networks, nat tables, rules)', async () => {
    const dir = project({ 'compose.yaml': `name: e2e-plan\n${body}` }, 'e2e-plan');
    const before = await everything();
    const r = await ipcompose(['plan'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const actions = r.stdout.slice(r.stdout.indexOf('actions'));
    expect(actions).toMatch(/1\. create-network: POST \/networks\/create\n {2}2\. write-override: \S+\.override\.yaml/);
    expect(actions).toMatch(/3\. compose: \S+docker-compose -f \S+compose\.yaml -f \S+\.override\.yaml up/);
    expect(r.stdout).toMatch(/e2e-plan_ipcompose-egress-198-18-0-12 +198\.18\.0\.12 +\(service\) +compose creates it/);
    expect(r.stdout).toMatch(/ipc-e2e-plan-shared +198\.18\.0\.13 +\(network\) +ipcompose creates it/);
    const dry = await ipcompose(['up', '--dry-run', '-d'], { cwd: dir });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/up -d\n?$/m);
    expect(await everything()).toEqual(before);
  });

  it('--json follows the documented schema', async () => {
    const dir = project({ 'compose.yaml': `name: e2e-plan-json\n${body}` }, 'e2e-plan-json');
    cleanups.push(() => composeDown(dir, 'e2e-plan-json'));
    const r = await ipcompose(['plan', '--json', '-d'], { cwd: dir });
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'project', 'files', 'envFiles', 'compose', 'engine', 'projectNetworks', 'networks', 'services', 'notes', 'advice', 'actions']);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.networks.map((n: { name: string; state: string; declaredAt: string }) => [n.name, n.declaredAt, n.state])).toEqual([
      ['e2e-plan-json_default', 'project', 'compose-creates'],
      ['ipc-e2e-plan-shared', 'network', 'create'],
      ['e2e-plan-json_ipcompose-egress-198-18-0-12', 'service', 'compose-creates'],
    ]);
    expect(doc.services).toContainEqual({ service: 'mail', ipv4: EXTRA[1], ipv6: null, gatewayNetwork: 'e2e-plan-json_ipcompose-egress-198-18-0-12', internalOnly: false });
    expect(doc.actions.map((a: { kind: string }) => a.kind)).toEqual(['create-network', 'write-override', 'compose']);
    expect(doc.actions[2].argv.slice(-2)).toEqual(['up', '-d']);
  });
});
