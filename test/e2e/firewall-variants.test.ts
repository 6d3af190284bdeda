import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runner } from '../../src/adapters/run.js';
import { syncRules } from '../../src/apply/fallback.js';
import { CHAIN, ruleLine, type FallbackRule } from '../../src/plan/fallback-rules.js';
import { sh } from './bench.js';

/**
 * The fallback chain's batches on both iptables variants Debian ships, each
 * in a network namespace of its own so the host's tables are never touched.
 */
describe.each(['nft', 'legacy'] as const)('ipcompose chain on iptables-%s', (variant) => {
  const ns = `ipc-fw-${variant}`;
  const tool = (name: string) => name.replace(/^(ip6?tables)/, `$1-${variant}`);
  const run: Runner = async (argv, options) => {
    try {
      const stdout = execFileSync('ip', ['netns', 'exec', ns, tool(argv[0]!), ...argv.slice(1)], { input: options?.input ?? '', encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
      return { exitCode: 0, stdout, stderr: '' };
    } catch (error) {
      const e = error as { status?: number; stdout?: string; stderr?: string };
      return { exitCode: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };
  const save = async (family: 4 | 6 = 4) => (await run([family === 4 ? 'iptables-save' : 'ip6tables-save', '-t', 'nat'])).stdout.split('\n').filter((l) => l.startsWith('-A '));
  const rule = (project: string, subnet: string, address: string): FallbackRule => ({ project, network: `${project}_default`, subnet, bridge: `br-${project}`, address });

  beforeAll(async () => {
    await sh(['ip', 'netns', 'del', ns]);
    expect((await sh(['ip', 'netns', 'add', ns])).code).toBe(0);
    // Docker's kind of rule, already there.
    await run(['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', '172.30.0.0/16', '!', '-o', 'br-x', '-j', 'MASQUERADE']);
  });
  afterAll(() => sh(['ip', 'netns', 'del', ns]));

  it('installs one chain, jumped to first, with commented rules, in one batch; a second run writes nothing', async () => {
    const rules = [rule('shop', '172.30.0.0/16', '198.18.0.11'), rule('shop', 'fd18:30::/64', 'fd18:0:0:1::11')];
    expect(await syncRules(run, ['shop'], rules)).toEqual([4, 6]);
    const v4 = await save(4);
    expect(v4[0]).toBe(`-A POSTROUTING -j ${CHAIN}`);
    expect(v4).toContain(ruleLine(rules[0]!));
    expect(v4).toContain('-A POSTROUTING -s 172.30.0.0/16 ! -o br-x -j MASQUERADE');
    expect(await save(6)).toContain(ruleLine(rules[1]!));
    expect(await syncRules(run, ['shop'], rules)).toEqual([]);
  });

  it('keeps other projects, and puts the jump back first after something inserted above it', async () => {
    await syncRules(run, ['blog'], [rule('blog', '172.31.0.0/16', '198.18.0.12')]);
    await run(['iptables', '-t', 'nat', '-I', 'POSTROUTING', '1', '-s', '172.30.0.0/16', '-j', 'MASQUERADE']);
    expect(await syncRules(run, ['shop'], [rule('shop', '172.30.0.0/16', '198.18.0.11')])).toContain(4);
    const v4 = await save(4);
    expect(v4[0]).toBe(`-A POSTROUTING -j ${CHAIN}`);
    expect(v4.filter((l) => l === `-A POSTROUTING -j ${CHAIN}`)).toHaveLength(1);
    expect(v4.some((l) => l.includes('project=blog '))).toBe(true);
  });

  it('removes a project, then the chain and its jump with the last one', async () => {
    await syncRules(run, ['shop'], []);
    expect((await save(4)).some((l) => l.includes('project=shop '))).toBe(false);
    await syncRules(run, ['blog'], []);
    const v4 = await save(4);
    expect(v4.some((l) => l.includes(CHAIN))).toBe(false);
    expect(v4).toContain('-A POSTROUTING -s 172.30.0.0/16 ! -o br-x -j MASQUERADE');
  });
});
