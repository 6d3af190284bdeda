import { describe, expect, it } from 'vitest';
import { aheadOfMasquerade, CHAIN, fallbackState, restoreInput, ruleLine, type FallbackRule } from '../../src/plan/fallback-rules.js';

const rule = (project: string, network: string, subnet: string, address: string): FallbackRule => ({ project, network, subnet, bridge: `br-${network}`, address });
const docker = ['-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE', '-A POSTROUTING -s 172.18.0.0/16 ! -o br-x -j MASQUERADE'];

describe('the fallback chain', () => {
  it('prints rules as iptables-save does, with a comment naming project and network', () => {
    expect(ruleLine(rule('shop', 'shop_default', '172.18.0.0/16', '203.0.113.5'))).toBe(
      '-A IPCOMPOSE-POSTROUTING -s 172.18.0.0/16 ! -o br-shop_default -m comment --comment "ipcompose project=shop network=shop_default" -j SNAT --to-source 203.0.113.5',
    );
  });

  it('creates the chain and the first jump in one batch', () => {
    const input = restoreInput(docker, false, ['shop'], [rule('shop', 'shop_default', '172.18.0.0/16', '203.0.113.5')]);
    expect(input).toBe(
      ['*nat', `:${CHAIN} - [0:0]`, ruleLine(rule('shop', 'shop_default', '172.18.0.0/16', '203.0.113.5')), `-I POSTROUTING 1 -j ${CHAIN}`, 'COMMIT', ''].join('\n'),
    );
  });

  it('changes nothing when the chain already holds the rules and comes first (idempotent)', () => {
    const r = rule('shop', 'shop_default', '172.18.0.0/16', '203.0.113.5');
    const saved = [`-A POSTROUTING -j ${CHAIN}`, ...docker, ruleLine(r)];
    expect(restoreInput(saved, true, ['shop'], [r])).toBeUndefined();
  });

  it("keeps other projects' rules and moves the jump back to the top", () => {
    const other = rule('blog', 'blog_default', '172.19.0.0/16', '203.0.113.6');
    const saved = [...docker, `-A POSTROUTING -j ${CHAIN}`, ruleLine(other)];
    const input = restoreInput(saved, true, ['shop'], [rule('shop', 'shop_default', '172.18.0.0/16', '203.0.113.5')])!;
    expect(input).toContain(ruleLine(other));
    expect(input).toContain(`-D POSTROUTING -j ${CHAIN}\n-I POSTROUTING 1 -j ${CHAIN}`);
  });

  it('removes the chain and its jump when the last project leaves', () => {
    const r = rule('shop', 'shop_default', '172.18.0.0/16', '203.0.113.5');
    expect(restoreInput([`-A POSTROUTING -j ${CHAIN}`, ruleLine(r)], true, ['shop'], [])).toBe(['*nat', `:${CHAIN} - [0:0]`, `-D POSTROUTING -j ${CHAIN}`, `-X ${CHAIN}`, 'COMMIT', ''].join('\n'));
    expect(restoreInput(docker, false, ['shop'], [])).toBeUndefined();
  });

  it('tells whether the chain is reached before a MASQUERADE for the subnet', () => {
    const r = rule('shop', 'shop_default', '172.18.0.0/16', '203.0.113.5');
    expect(aheadOfMasquerade([`-A POSTROUTING -j ${CHAIN}`, ...docker], '172.18.0.0/16')).toBe(true);
    expect(aheadOfMasquerade([...docker, `-A POSTROUTING -j ${CHAIN}`], '172.18.0.0/16')).toBe(false);
    expect(aheadOfMasquerade([docker[0]!, `-A POSTROUTING -j ${CHAIN}`], '172.18.0.0/16')).toBe(true);
    expect(fallbackState([`-A POSTROUTING -j ${CHAIN}`, ruleLine(r)], '172.18.0.0/16', 'br-shop_default', '203.0.113.5')).toEqual({ present: true, first: true });
  });
});

describe('stale rules', () => {
  it("drop rules of other projects whose bridge is gone, since Docker reuses subnets", () => {
    const gone = rule('old', 'old_default', '172.18.0.0/16', '203.0.113.9');
    const live = rule('blog', 'blog_default', '172.19.0.0/16', '203.0.113.6');
    const saved = [`-A POSTROUTING -j ${CHAIN}`, ruleLine(gone), ruleLine(live)];
    const input = restoreInput(saved, true, ['shop'], [], new Set(['br-blog_default']))!;
    expect(input).not.toContain('project=old');
    expect(input).toContain(ruleLine(live));
  });
});
