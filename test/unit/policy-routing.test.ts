import { describe, expect, it } from 'vitest';
import { networkPrefix, networkPrefix6 } from '../../src/host/addresses.js';
import { defaultRoutes } from '../../src/host/routes.js';
import { planEgress } from '../../src/plan/egress-plan.js';
import { parseVersion } from '../../src/versions.js';
import { routingFor } from '../../src/plan/egress-plan.js';
import { routingCommands, tableFor } from '../../src/plan/policy-routing.js';

const host = [
  { interface: 'eth0', address: '192.0.2.10', family: 4 as const, internal: false, prefix: '192.0.2.0/24' },
  { interface: 'eth1', address: '203.0.113.5', family: 4 as const, internal: false, prefix: '203.0.113.0/29' },
];

describe('policy routing', () => {
  it('reads default routes from /proc/net/route, best metric first', () => {
    const table = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth1\t00000000\t017100CB\t0003\t0\t0\t500\t00000000\t0\t0\t0',
      'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
      'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    ].join('\n');
    expect(defaultRoutes(table)).toEqual([
      { interface: 'eth0', gateway: '192.0.2.1', metric: 0 },
      { interface: 'eth1', gateway: '203.0.113.1', metric: 500 },
    ]);
  });

  describe('an IPv6 address on another NIC than the IPv6 default route', () => {
    const v = (t: string) => parseVersion(t)!;
    const model = { name: 'shop', 'x-egress-ip': { ipv6: '2001:db8:0:2::5' }, services: { web: { networks: { default: null } } }, networks: { default: { name: 'shop_default', enable_ipv6: true } } };
    const main6 = { interface: 'eth0', gateway: 'fe80::1', metric: 1024 };
    const facts = (iface: string, defaultRoutes6 = [main6]) => ({
      engine: v('28.5.2'),
      compose: v('2.40.3'),
      networks: new Map(),
      hostAddresses: [{ interface: iface, address: '2001:db8:0:2::5', family: 6 as const, internal: false, prefix: '2001:db8:0:2::/64' }],
      defaultRoutes6,
    });

    it('is routed by source through that NIC’s own default route', () => {
      const plan = planEgress(model, facts('eth1', [main6, { interface: 'eth1', gateway: 'fe80::2', metric: 2048 }]), { recreate: false });
      const routing = { interface: 'eth1', gateway: 'fe80::2', table: tableFor('eth1', 'fe80::2'), prefix: '2001:db8:0:2::/64' };
      expect(plan.networks[0]!.routing6).toEqual(routing);
      expect(plan.steps).toEqual([{ kind: 'compose-create' }, { kind: 'policy-routing', family: 6, networks: [{ name: 'shop_default', routing }] }]);
      expect(plan.advice).toEqual([]);
    });

    it('without one, gets advice on giving it one', () => {
      expect(planEgress(model, facts('eth1'), { recreate: false }).advice).toEqual([
        expect.stringMatching(/^2001:db8:0:2::5 is on eth1, but the IPv6 default route is on eth0; .*ip -6 route add default via <router> dev eth1 metric 2048/),
      ]);
      expect(planEgress(model, facts('eth0'), { recreate: false }).advice).toEqual([]);
    });
  });

  it('computes IPv6 prefixes of the host’s addresses', () => {
    expect(networkPrefix6('2001:db8:0:2::11', 64)).toBe('2001:db8:0:2::/64');
    expect(networkPrefix6('fd18:0:0:2ab:abcd::1', 56)).toBe('fd18:0:0:200::/56');
    expect(networkPrefix6('2001:db8::1', 128)).toBe('2001:db8::1/128');
  });

  it('routes an address on a second NIC through its gateway: declared, or that NIC’s own default route', () => {
    const routes = [{ interface: 'eth0', gateway: '192.0.2.1', metric: 0 }];
    expect(routingFor({ ipv4: '192.0.2.10' }, { hostAddresses: host, defaultRoutes: routes })).toBeUndefined();
    expect(routingFor({ ipv4: '203.0.113.5' }, { hostAddresses: host, defaultRoutes: routes })).toBeUndefined();
    expect(routingFor({ ipv4: '203.0.113.5', gateway: '203.0.113.1' }, { hostAddresses: host, defaultRoutes: routes })).toEqual({
      interface: 'eth1',
      gateway: '203.0.113.1',
      table: tableFor('eth1', '203.0.113.1'),
      prefix: '203.0.113.0/29',
    });
    const second = [...routes, { interface: 'eth1', gateway: '203.0.113.1', metric: 500 }];
    expect(routingFor({ ipv4: '203.0.113.5' }, { hostAddresses: host, defaultRoutes: second })?.gateway).toBe('203.0.113.1');
  });

  it('adds missing rules, keeps live ones, drops stale ones and empties unused tables', () => {
    const t = tableFor('eth1', '203.0.113.1');
    const wanted = [{ subnet: '172.20.0.0/16', interface: 'eth1', gateway: '203.0.113.1', table: t, prefix: '203.0.113.0/29' }];
    expect(routingCommands([], wanted, new Set())).toEqual([
      `rule add from 172.20.0.0/16 lookup ${t} priority 20000 proto 198`,
      `route replace 203.0.113.0/29 dev eth1 table ${t} proto 198`,
      `route replace default via 203.0.113.1 dev eth1 table ${t} proto 198`,
    ]);
    const current = [
      { priority: 20000, src: '172.20.0.0', srclen: 16, table: String(t), protocol: '198' },
      { priority: 20000, src: '172.21.0.0', srclen: 16, table: '29999', protocol: '198' },
      { priority: 20000, src: '172.22.0.0', srclen: 16, table: String(t), protocol: '198' },
      { priority: 100, src: '10.0.0.0', srclen: 8, table: '5' },
    ];
    const commands = routingCommands(current, wanted, new Set(['172.22.0.0/16']));
    expect(commands).toContain('rule del from 172.21.0.0/16 priority 20000 lookup 29999 proto 198');
    expect(commands).toContain('route flush table 29999 proto 198');
    expect(commands.some((c) => c.includes('172.22.0.0') || c.includes('10.0.0.0') || c.startsWith('rule add'))).toBe(false);
  });

  it('computes connected prefixes', () => {
    expect(networkPrefix('203.0.113.5', 29)).toBe('203.0.113.0/29');
    expect(networkPrefix('198.18.1.11', 24)).toBe('198.18.1.0/24');
  });
});
