import { describe, expect, it } from 'vitest';
import type { NetworkInfo } from '../../src/adapters/engine.js';
import { statusRow } from '../../src/commands/status.js';

const net: NetworkInfo = {
  id: '0123456789abcdef',
  name: 'shop_default',
  driver: 'bridge',
  internal: false,
  enableIPv6: false,
  options: { 'com.docker.network.host_ipv4': '203.0.113.5', 'com.docker.network.bridge.host_binding_ipv4': '203.0.113.5' },
  labels: { 'io.ipcompose.project': 'shop', 'io.ipcompose.egress.ipv4': '203.0.113.5' },
  subnets: ['172.20.0.0/16'],
  containers: [{ id: 'b', name: 'shop-web-1' }, { id: 'a', name: 'shop-db-1' }],
};
const rule = '-A POSTROUTING -s 172.20.0.0/16 ! -o br-0123456789ab -j SNAT --to-source 203.0.113.5';

describe('statusRow', () => {
  it('reports a healthy native network', () => {
    expect(statusRow(net, [rule], [])).toEqual({
      network: 'shop_default',
      project: 'shop',
      ipv4: '203.0.113.5',
      mode: 'native',
      rule: { ipv4: 'first' },
      bind: '203.0.113.5',
      containers: ['shop-db-1', 'shop-web-1'],
    });
  });

  it('sees a missing rule, a MASQUERADE ahead of it, and a network without the option', () => {
    expect(statusRow(net, [], []).rule).toEqual({ ipv4: 'missing' });
    expect(statusRow(net, ['-A POSTROUTING -s 172.20.0.0/16 -j MASQUERADE', rule], []).rule).toEqual({ ipv4: 'after-masquerade' });
    expect(statusRow({ ...net, options: {} }, [], []).mode).toBe('fallback');
    const chain = ['-A POSTROUTING -j IPCOMPOSE-POSTROUTING', '-A IPCOMPOSE-POSTROUTING -s 172.20.0.0/16 ! -o br-0123456789ab -m comment --comment "ipcompose project=shop network=shop_default" -j SNAT --to-source 203.0.113.5'];
    const adopted = statusRow({ ...net, options: {}, labels: {} }, chain, [], { address: { ipv4: '203.0.113.5' }, mode: 'fallback', project: 'shop' });
    expect(adopted).toMatchObject({ project: 'shop', ipv4: '203.0.113.5', mode: 'fallback', rule: { ipv4: 'first' }, bind: '203.0.113.5 (per port)' });
  });
});
