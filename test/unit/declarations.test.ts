import { describe, expect, it } from 'vitest';
import { canonicalIPv6, DeclarationError, parseAddress, readDeclarations } from '../../src/project/declarations.js';

describe('x-egress-ip values', () => {
  it.each([
    ['203.0.113.5', { ipv4: '203.0.113.5' }],
    [' 203.0.113.5 ', { ipv4: '203.0.113.5' }],
    ['2001:DB8:0:0::5', { ipv6: '2001:db8::5' }],
    [{ ipv4: '203.0.113.5' }, { ipv4: '203.0.113.5' }],
    [{ ipv6: '2001:db8::5' }, { ipv6: '2001:db8::5' }],
    [{ ipv4: '203.0.113.5', ipv6: '2001:0db8::0005' }, { ipv4: '203.0.113.5', ipv6: '2001:db8::5' }],
  ])('reads %j', (value, expected) => {
    expect(parseAddress(value, ['x-egress-ip'])).toEqual(expected);
  });

  it.each([
    ['', /is empty/],
    [null, /is empty/],
    ['203.0.113.300', /is not an IP address/],
    ['example.com', /is not an IP address/],
    [42, /is not an IP address/],
    [['203.0.113.5'], /is not an IP address/],
    [{ ipv4: '2001:db8::5' }, /is not an IPv4 address/],
    [{ ipv6: '203.0.113.5' }, /is not an IPv6 address/],
    [{ ip: '203.0.113.5' }, /unknown key ip/],
    [{}, /names no address/],
  ])('rejects %j', (value, message) => {
    expect(() => parseAddress(value, ['x-egress-ip'])).toThrow(message);
    try {
      parseAddress(value, ['services', 'web', 'x-egress-ip']);
    } catch (error) {
      expect(error).toBeInstanceOf(DeclarationError);
      expect((error as DeclarationError).exitCode).toBe(2);
      expect((error as DeclarationError).hint).toBeTruthy();
    }
  });

  it('finds all three placements with their key paths', () => {
    const found = readDeclarations({
      name: 'p',
      'x-egress-ip': '203.0.113.5',
      networks: { pub: { 'x-egress-ip': '203.0.113.6' }, plain: {} },
      services: { mail: { 'x-egress-ip': '203.0.113.7' }, web: {} },
    });
    expect(found.map((d) => [d.placement.kind, d.keyPath.join('.')])).toEqual([
      ['project', 'x-egress-ip'],
      ['network', 'networks.pub.x-egress-ip'],
      ['service', 'services.mail.x-egress-ip'],
    ]);
  });

  it('spells IPv6 one way', () => {
    expect(canonicalIPv6('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
  });
});
