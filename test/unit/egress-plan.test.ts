import { describe, expect, it } from 'vitest';
import type { NetworkInfo } from '../../src/adapters/engine.js';
import { DeclarationError } from '../../src/project/declarations.js';
import type { ComposeModel } from '../../src/project/model.js';
import { planEgress, type EngineFacts } from '../../src/plan/egress-plan.js';
import { parseVersion } from '../../src/versions.js';

const v = (text: string) => parseVersion(text)!;
const host = [
  { interface: 'eth0', address: '203.0.113.2', family: 4 as const, internal: false },
  { interface: 'eth0', address: '203.0.113.5', family: 4 as const, internal: false },
  { interface: 'eth0', address: '203.0.113.6', family: 4 as const, internal: false },
  { interface: 'eth0', address: '203.0.113.7', family: 4 as const, internal: false },
  { interface: 'eth0', address: '2001:db8::5', family: 6 as const, internal: false },
  { interface: 'lo', address: '127.0.0.1', family: 4 as const, internal: true },
];

function facts(over: Partial<EngineFacts> = {}): EngineFacts {
  return { engine: v('28.5.2'), compose: v('2.40.3'), networks: new Map(), hostAddresses: host, ...over };
}

function network(name: string, over: Partial<NetworkInfo> = {}): NetworkInfo {
  return { id: `id-${name}`, name, driver: 'bridge', internal: false, enableIPv6: false, options: {}, labels: {}, subnets: [], containers: [], ...over };
}

const web = { networks: { default: null } };
const model = (extra: Partial<ComposeModel>): ComposeModel => ({
  name: 'shop',
  services: { web },
  networks: { default: { name: 'shop_default' } },
  ...extra,
});

function problem(fn: () => unknown): DeclarationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DeclarationError) return error;
    throw error;
  }
  throw new Error('no DeclarationError');
}

describe('planEgress', () => {
  it('returns nothing to do for a project without declarations', () => {
    const plan = planEgress(model({}), facts(), { recreate: false });
    expect(plan.networks).toEqual([]);
    expect(plan.override).toBeUndefined();
    expect(plan.services).toEqual([{ service: 'web' }]);
  });

  it('gives every routable network the project creates the project-wide address, in the override', () => {
    const plan = planEgress(
      model({
        'x-egress-ip': '203.0.113.5',
        networks: {
          default: { name: 'shop_default' },
          back: { name: 'shop_back', internal: true },
          shared: { name: 'shared', external: true },
        },
      }),
      facts(),
      { recreate: false },
    );
    expect(plan.networks.map((n) => [n.name, n.address, n.state])).toEqual([['shop_default', { ipv4: '203.0.113.5' }, 'compose-creates']]);
    expect(plan.override?.networks.default).toEqual({
      driver_opts: {
        'com.docker.network.bridge.host_binding_ipv4': '203.0.113.5',
        'com.docker.network.host_ipv4': '203.0.113.5',
      },
      labels: { 'io.ipcompose.project': 'shop', 'io.ipcompose.egress.ipv4': '203.0.113.5' },
    });
    expect(plan.steps).toEqual([]);
  });

  it('lets a network declaration win over the project one', () => {
    const plan = planEgress(
      model({ 'x-egress-ip': '203.0.113.5', networks: { default: { name: 'shop_default', 'x-egress-ip': '203.0.113.6' } } }),
      facts(),
      { recreate: false },
    );
    expect(plan.networks[0]!.address).toEqual({ ipv4: '203.0.113.6' });
    expect(plan.networks[0]!.declaredAt).toBe('network');
  });

  it('gives a declared service a dedicated network that is its gateway, keeping its other networks', () => {
    const plan = planEgress(
      model({
        'x-egress-ip': '203.0.113.5',
        services: { mail: { networks: { default: null, back: { gw_priority: 3 } }, 'x-egress-ip': { ipv4: '203.0.113.7' } } },
        networks: { default: { name: 'shop_default' }, back: { name: 'shop_back' } },
      }),
      facts(),
      { recreate: false },
    );
    const key = 'ipcompose-egress-203-0-113-7';
    expect(plan.override?.networks[key]).toMatchObject({ name: `shop_${key}`, driver: 'bridge' });
    expect(plan.override?.services.mail).toEqual({ networks: { default: {}, back: {}, [key]: { gw_priority: 4 } } });
    expect(plan.services).toEqual([{ service: 'mail', address: { ipv4: '203.0.113.7' }, gatewayNetwork: `shop_${key}` }]);
  });

  it('refuses a service address where gw_priority is missing rather than leak through another address', () => {
    const m = model({ services: { web: { networks: { default: null }, 'x-egress-ip': '203.0.113.7' } } });
    for (const f of [facts({ engine: v('27.5.1') }), facts({ compose: v('2.33.0') })]) {
      const e = problem(() => planEgress(m, f, { recreate: false }));
      expect(e.keyPath).toEqual(['services', 'web', 'x-egress-ip']);
      expect(e.message).toMatch(/needs gw_priority/);
    }
  });

  it('makes the declared network the gateway of a service also on an undeclared one', () => {
    const plan = planEgress(
      model({
        services: { web: { networks: { public: null, zeta: null } } },
        networks: { public: { name: 'shop_public', 'x-egress-ip': '203.0.113.6' }, zeta: { name: 'shop_zeta' } },
      }),
      facts(),
      { recreate: false },
    );
    expect(plan.override?.services.web).toEqual({ networks: { public: { gw_priority: 1 }, zeta: {} } });
  });

  it('without gw_priority, accepts the declared network only when it wins the name order', () => {
    const m = (declared: string) =>
      model({
        services: { web: { networks: { a: null, b: null } } },
        networks: { a: { name: 'shop_a', ...(declared === 'a' ? { 'x-egress-ip': '203.0.113.6' } : {}) }, b: { name: 'shop_b', ...(declared === 'b' ? { 'x-egress-ip': '203.0.113.6' } : {}) } },
      });
    const old = facts({ engine: v('27.0.0') });
    expect(planEgress(m('a'), old, { recreate: false }).services[0]).toEqual({ service: 'web', address: { ipv4: '203.0.113.6' }, gatewayNetwork: 'shop_a' });
    expect(problem(() => planEgress(m('b'), old, { recreate: false })).message).toMatch(/leave through network a/);
  });

  it('rejects a service on networks with two different addresses', () => {
    const e = problem(() =>
      planEgress(
        model({
          services: { web: { networks: { a: null, b: null } } },
          networks: { a: { name: 'shop_a', 'x-egress-ip': '203.0.113.5' }, b: { name: 'shop_b', 'x-egress-ip': '203.0.113.6' } },
        }),
        facts(),
        { recreate: false },
      ),
    );
    expect(e.keyPath).toEqual(['services', 'web', 'networks']);
    expect(e.hint).toMatch(/declare x-egress-ip on service web/);
  });

  it.each([
    ['an address not on the host', { 'x-egress-ip': '198.51.100.9' }, /is not assigned to any interface/],
    ['a loopback address', { 'x-egress-ip': '127.0.0.1' }, /loopback/],
    ['IPv6 on a network without IPv6', { 'x-egress-ip': '2001:db8::5' }, /has no IPv6/],
    [
      'driver_opts that contradict',
      { networks: { default: { name: 'shop_default', driver_opts: { 'com.docker.network.host_ipv4': '203.0.113.6' }, 'x-egress-ip': '203.0.113.5' } } },
      /contradicts driver_opts com\.docker\.network\.host_ipv4/,
    ],
    ['an internal network', { networks: { default: { name: 'shop_default', internal: true, 'x-egress-ip': '203.0.113.5' } } }, /is internal/],
    ['a non-bridge driver', { networks: { default: { name: 'shop_default', driver: 'macvlan', 'x-egress-ip': '203.0.113.5' } } }, /driver macvlan/],
    ['a service with network_mode', { services: { web: { network_mode: 'host', 'x-egress-ip': '203.0.113.5' } } }, /network_mode host/],
  ])('rejects %s', (_label, extra, message) => {
    expect(problem(() => planEgress(model(extra as Partial<ComposeModel>), facts(), { recreate: false })).message).toMatch(message);
  });

  it('accepts driver_opts that agree with the declaration', () => {
    const plan = planEgress(
      model({ networks: { default: { name: 'shop_default', driver_opts: { 'com.docker.network.host_ipv4': '203.0.113.5' }, 'x-egress-ip': '203.0.113.5' } } }),
      facts(),
      { recreate: false },
    );
    expect(plan.networks).toHaveLength(1);
  });

  it('needs Engine 25 for host_ipv6', () => {
    const m = model({ networks: { default: { name: 'shop_default', enable_ipv6: true, 'x-egress-ip': { ipv4: '203.0.113.5', ipv6: '2001:db8::5' } } } });
    expect(problem(() => planEgress(m, facts({ engine: v('24.0.9') }), { recreate: false, snat: 'native' })).message).toMatch(/host_ipv6/);
    const old = planEgress(m, facts({ engine: v('24.0.9') }), { recreate: false }).networks[0]!;
    expect([old.mode, old.reason, old.options]).toEqual(['fallback', 'Engine 24.0.9 has no host_ipv6', {}]);
    expect(planEgress(m, facts(), { recreate: false }).networks[0]!.options).toEqual({
      'com.docker.network.bridge.host_binding_ipv4': '203.0.113.5',
      'com.docker.network.host_ipv4': '203.0.113.5',
      'com.docker.network.host_ipv6': '2001:db8::5',
    });
  });

  describe('external networks', () => {
    const ext = model({
      services: { web: { networks: { shared: null } } },
      networks: { shared: { name: 'tenants', external: true, 'x-egress-ip': '203.0.113.6' } },
    });

    it('creates a missing one, labelled as ipcompose’s', () => {
      const plan = planEgress(ext, facts(), { recreate: false });
      expect(plan.steps).toEqual([
        {
          kind: 'create-network',
          name: 'tenants',
          ipv6: false,
          options: { 'com.docker.network.bridge.host_binding_ipv4': '203.0.113.6', 'com.docker.network.host_ipv4': '203.0.113.6' },
          labels: { 'io.ipcompose.project': 'shop', 'io.ipcompose.egress.ipv4': '203.0.113.6', 'io.ipcompose.created': 'true' },
        },
      ]);
      expect(plan.override).toBeUndefined();
    });

    it('uses an existing one with the right options', () => {
      const existing = network('tenants', { options: { 'com.docker.network.bridge.host_binding_ipv4': '203.0.113.6', 'com.docker.network.host_ipv4': '203.0.113.6' } });
      const plan = planEgress(ext, facts({ networks: new Map([['tenants', existing]]) }), { recreate: false });
      expect(plan.networks[0]!.state).toBe('ok');
      expect(plan.steps).toEqual([]);
    });

    it('never uses one without the options silently, and recreates it only with --recreate and no containers', () => {
      const bare = network('tenants');
      const f = facts({ networks: new Map([['tenants', bare]]) });
      const blocked = planEgress(ext, f, { recreate: false, snat: 'native' }).networks[0]!;
      expect(blocked.state).toBe('conflict');
      expect(blocked.problem?.hint).toMatch(/ipcompose up --recreate/);
      expect(planEgress(ext, f, { recreate: true }).steps.map((s) => s.kind)).toEqual(['remove-network', 'create-network']);
      const busy = facts({ networks: new Map([['tenants', network('tenants', { containers: [{ id: 'c1', name: 'other-app-1' }] })]]) });
      const stillBlocked = planEgress(ext, busy, { recreate: true }).networks[0]!;
      expect(stillBlocked.state).toBe('conflict');
      expect(stillBlocked.problem?.hint).toMatch(/docker network disconnect tenants/);
    });
  });

  describe('compose-managed networks that exist without the options', () => {
    const m = model({ 'x-egress-ip': '203.0.113.5' });
    const composeLabels = { 'com.docker.compose.network': 'default', 'com.docker.compose.project': 'shop' };

    it('leaves the replacement to compose when it has the config hash (2.31+)', () => {
      const existing = network('shop_default', { labels: { ...composeLabels, 'com.docker.compose.config-hash': 'abc' } });
      const plan = planEgress(m, facts({ networks: new Map([['shop_default', existing]]) }), { recreate: false, snat: 'native' });
      expect(plan.networks[0]!.state).toBe('compose-recreates');
      expect(plan.notes[0]).toMatch(/compose replaces network shop_default/);
    });

    it('with older compose, refuses without --recreate and replaces it with', () => {
      const existing = network('shop_default', { labels: composeLabels, containers: [{ id: 'c1', name: 'shop-web-1' }] });
      const f = facts({ compose: v('2.29.0'), networks: new Map([['shop_default', existing]]) });
      expect(planEgress(m, f, { recreate: false, snat: 'native' }).networks[0]!.problem?.message).toMatch(/would reuse it as it is/);
      expect(planEgress(m, f, { recreate: true }).steps).toEqual([
        { kind: 'remove-containers', network: 'shop_default', containers: [{ id: 'c1', name: 'shop-web-1' }] },
        { kind: 'remove-network', name: 'shop_default' },
      ]);
    });

    it('refuses a network of that name that compose did not create', () => {
      const f = facts({ networks: new Map([['shop_default', network('shop_default')]]) });
      expect(planEgress(m, f, { recreate: true }).networks[0]!.problem?.message).toMatch(/was not created by compose/);
    });
  });

  describe('fallback (--snat auto and iptables)', () => {
    const composeLabels = { 'com.docker.compose.network': 'default', 'com.docker.compose.project': 'shop', 'com.docker.compose.config-hash': 'abc' };
    const running = model({
      'x-egress-ip': '203.0.113.5',
      services: { web: { networks: { default: null }, ports: [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }, { target: 53, published: '53', protocol: 'udp', host_ip: '203.0.113.6' }] } },
    });

    it('adopts a running network without recreating it: SNAT rule, explicit port bindings, container labels', () => {
      const existing = network('shop_default', { labels: composeLabels, subnets: ['172.20.0.0/16'] });
      const plan = planEgress(running, facts({ networks: new Map([['shop_default', existing]]) }), { recreate: false });
      expect(plan.networks[0]).toMatchObject({ mode: 'fallback', state: 'ok', reason: expect.stringMatching(/adopted without recreating/) });
      // Nothing about the network itself may change, or compose would replace it.
      expect(plan.override?.networks).toEqual({});
      const web = plan.override!.services.web!;
      expect(web.ports?.items).toEqual([
        { mode: 'ingress', target: 80, published: '8080', protocol: 'tcp', host_ip: '203.0.113.5' },
        { target: 53, published: '53', protocol: 'udp', host_ip: '203.0.113.6' },
      ]);
      expect(web.labels).toEqual({ 'io.ipcompose.fallback.shop_default': '203.0.113.5,' });
      expect(plan.steps).toEqual([{ kind: 'snat-rules', networks: [{ name: 'shop_default', address: { ipv4: '203.0.113.5' } }] }]);
    });

    it('names a second NIC’s gateway in the container label, for reconcile to route an adopted network again', () => {
      const existing = network('shop_default', { labels: composeLabels, subnets: ['172.20.0.0/16'] });
      const nic2 = [...host, { interface: 'eth1', address: '198.51.100.9', family: 4 as const, internal: false }];
      const m = model({ 'x-egress-ip': { ipv4: '198.51.100.9', gateway: '198.51.100.1' } });
      const plan = planEgress(m, facts({ hostAddresses: nic2, networks: new Map([['shop_default', existing]]) }), { recreate: false });
      expect(plan.override!.services.web!.labels).toEqual({ 'io.ipcompose.fallback.shop_default': '198.51.100.9,,198.51.100.1' });
      expect(plan.steps.map((s) => s.kind)).toEqual(['snat-rules', 'policy-routing']);
    });

    it('with --snat iptables, new networks come without the options, created by compose before their rules', () => {
      const plan = planEgress(running, facts(), { recreate: false, snat: 'iptables' });
      expect(plan.networks[0]).toMatchObject({ mode: 'fallback', state: 'compose-creates', options: {} });
      expect(plan.override?.networks.default).toEqual({ labels: { 'io.ipcompose.project': 'shop', 'io.ipcompose.egress.ipv4': '203.0.113.5', 'io.ipcompose.mode': 'fallback' } });
      expect(plan.steps.map((s) => s.kind)).toEqual(['compose-create', 'snat-rules']);
    });

    it('keeps a network created for fallback as it is on the next run', () => {
      const existing = network('shop_default', { labels: { ...composeLabels, 'io.ipcompose.mode': 'fallback', 'io.ipcompose.egress.ipv4': '203.0.113.5' } });
      const plan = planEgress(running, facts({ networks: new Map([['shop_default', existing]]) }), { recreate: false, snat: 'iptables' });
      expect(plan.networks[0]).toMatchObject({ mode: 'fallback', state: 'ok' });
      expect(plan.override?.networks.default).toEqual({ labels: expect.objectContaining({ 'io.ipcompose.mode': 'fallback' }) });
      expect(plan.steps.map((s) => s.kind)).toEqual(['snat-rules']);
    });
  });
});

describe('service addresses through the fallback', () => {
  it('bind the service’s published ports to its own address', () => {
    const plan = planEgress(
      model({ services: { mail: { networks: { default: null }, ports: [{ target: 25, published: '25', protocol: 'tcp' }], 'x-egress-ip': '203.0.113.7' } } }),
      facts(),
      { recreate: false, snat: 'iptables' },
    );
    expect(plan.override?.services.mail?.ports?.items).toEqual([{ target: 25, published: '25', protocol: 'tcp', host_ip: '203.0.113.7' }]);
  });
});

describe('published ports of a dual-stack address', () => {
  const ports = [{ target: 80, published: '8080', protocol: 'tcp' }, { target: 53, published: '53', protocol: 'udp', host_ip: '203.0.113.6' }];
  const dual = (declaration: unknown) =>
    model({ 'x-egress-ip': declaration, services: { web: { networks: { default: null }, ports } }, networks: { default: { name: 'shop_default', enable_ipv6: true } } });

  it('bind each address, since host_binding_ipv4 takes only one; ports that name an address stay', () => {
    const plan = planEgress(dual({ ipv4: '203.0.113.5', ipv6: '2001:db8::5' }), facts(), { recreate: false });
    expect(plan.networks[0]!.mode).toBe('native');
    expect(plan.override?.services.web?.ports?.items).toEqual([
      { target: 80, published: '8080', protocol: 'tcp', host_ip: '203.0.113.5' },
      { target: 80, published: '8080', protocol: 'tcp', host_ip: '2001:db8::5' },
      { target: 53, published: '53', protocol: 'udp', host_ip: '203.0.113.6' },
    ]);
  });

  it('are left to the network option for a single address', () => {
    expect(planEgress(dual('2001:db8::5'), facts(), { recreate: false }).override?.services.web?.ports).toBeUndefined();
  });
});

