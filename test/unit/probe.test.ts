import { describe, expect, it } from 'vitest';
import { snatState } from '../../src/adapters/iptables.js';
import { defaultGateway, parseStun, xorMappedAddress } from '../../src/probe.js';

describe('probe helpers', () => {
  it('reads the default gateway from /proc/net/route (host byte order)', () => {
    const table = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth1\t00000000\t010014AC\t0003\t0\t0\t0\t00000000\t0\t0\t0',
      'eth0\t000013AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
    ].join('\n');
    expect(defaultGateway(table)).toBe('172.20.0.1');
    expect(defaultGateway(table.split('\n').filter((l) => !l.includes('00000000\t010014AC')).join('\n'))).toBeUndefined();
  });

  it('decodes XOR-MAPPED-ADDRESS', () => {
    const msg = Buffer.alloc(32);
    msg.writeUInt16BE(0x0101, 0);
    msg.writeUInt16BE(12, 2);
    msg.writeUInt32BE(0x2112a442, 4);
    msg.writeUInt16BE(0x0020, 20);
    msg.writeUInt16BE(8, 22);
    msg.writeUInt16BE(0x0001, 24);
    msg.writeUInt16BE(40000 ^ 0x2112, 26);
    msg.writeUInt32BE((((198 << 24) | (18 << 16) | (0 << 8) | 11) ^ 0x2112a442) >>> 0, 28);
    expect(xorMappedAddress(msg)).toBe('198.18.0.11');
  });

  it('parses stun: targets', () => {
    expect(parseStun('stun:203.0.113.9')).toEqual(['203.0.113.9', 3478]);
    expect(parseStun('stun:203.0.113.9:19302')).toEqual(['203.0.113.9', 19302]);
    expect(parseStun('stun:[2001:db8::9]:3479')).toEqual(['2001:db8::9', 3479]);
  });
});

describe('snatState', () => {
  const ours = '-A POSTROUTING -s 172.18.0.0/16 ! -o br-abc -j SNAT --to-source 198.18.0.11';
  it('finds the rule and whether a MASQUERADE for the subnet comes first', () => {
    expect(snatState([ours, '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE'], '172.18.0.0/16', 'br-abc', '198.18.0.11')).toEqual({ present: true, first: true });
    expect(snatState(['-A POSTROUTING -j MASQUERADE', ours], '172.18.0.0/16', 'br-abc', '198.18.0.11')).toEqual({ present: true, first: false });
    expect(snatState(['-A POSTROUTING -s 172.18.0.0/16 ! -o br-abc -j MASQUERADE', ours], '172.18.0.0/16', 'br-abc', '198.18.0.11').first).toBe(false);
    expect(snatState([ours], '172.18.0.0/16', 'br-abc', '198.18.0.1')).toEqual({ present: false, first: false });
  });
});
