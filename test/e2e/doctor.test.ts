import { afterEach, describe, expect, it } from 'vitest';
import { EXTRA, ipcompose, project, service, sh } from './bench.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('ipcompose doctor', () => {
  it('passes on the bench, naming versions, backend and forwarding', async () => {
    const dir = project({ 'compose.yaml': `x-egress-ip: ${EXTRA[0]}\nservices:\n  web:\n${service()}` });
    const r = await ipcompose(['doctor'], { cwd: dir });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/ok +engine: Docker Engine 28\./);
    expect(r.stdout).toMatch(/ok +compose: Compose 2\./);
    expect(r.stdout).toMatch(/firewall backend: iptables v[\d.]+ \((nf_tables|legacy)\)/);
    expect(r.stdout).toMatch(/ok +forwarding: IPv4/);
    expect(r.stdout).toMatch(new RegExp(`ok +project: project proj: ${EXTRA[0].replaceAll('.', '\\.')} on this host`));
  });

  it('fails with the fix when a declared address is not on the host', async () => {
    const dir = project({ 'compose.yaml': `x-egress-ip: 198.18.1.99\nservices:\n  web:\n${service()}` });
    const r = await ipcompose(['doctor', '--json'], { cwd: dir });
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; findings: { check: string; level: string; fix?: string }[] };
    expect(doc.ok).toBe(false);
    expect(doc.findings).toContainEqual(expect.objectContaining({ check: 'project', level: 'fail', fix: expect.stringContaining('ip addr add 198.18.1.99/32') }));
  });

  it('points at egress networks that no running project claims', async () => {
    await sh(['docker', 'network', 'create', '--label', 'io.ipcompose.project=e2e-gone', 'ipc-e2e-leftover']);
    cleanups.push(() => sh(['docker', 'network', 'rm', 'ipc-e2e-leftover']));
    const r = await ipcompose(['doctor'], { cwd: '/' });
    expect(r.stdout).toMatch(/warn +leftovers: .*ipc-e2e-leftover \(e2e-gone\)/);
    expect(r.stdout).toMatch(/fix: docker network rm .*ipc-e2e-leftover/);
  });

  it('points at rules of its chain that no network claims, and reconcile removes them', async () => {
    await sh(['iptables', '-t', 'nat', '-N', 'IPCOMPOSE-POSTROUTING']);
    await sh(['iptables', '-t', 'nat', '-A', 'IPCOMPOSE-POSTROUTING', '-s', '172.29.0.0/16', '!', '-o', 'br-deadbeef0000', '-m', 'comment', '--comment', 'ipcompose project=gone network=gone_default', '-j', 'SNAT', '--to-source', '198.18.0.11']);
    const r = await ipcompose(['doctor'], { cwd: '/' });
    expect(r.stdout).toMatch(/warn +leftovers: .*1 rule\(s\) in IPCOMPOSE-POSTROUTING that no running network claims\n +fix: (.*, then )?ipcompose reconcile/);
    expect((await ipcompose(['reconcile'], { cwd: '/' })).status).toBe(0);
    expect((await sh(['iptables-save', '-t', 'nat'])).stdout).not.toContain('project=gone');
  });
});
