import { describe, expect, it } from 'vitest';
import { composeFinding, engineFinding } from '../../src/commands/doctor.js';
import { parseVersion } from '../../src/versions.js';

const v = (t: string) => parseVersion(t)!;

describe('doctor findings', () => {
  it('says what each engine version makes possible', () => {
    expect(engineFinding({ version: v('28.5.2'), apiVersion: '1.51' })).toMatchObject({ level: 'ok', detail: expect.stringContaining('host_ipv4, host_ipv6, gw_priority') });
    expect(engineFinding({ version: v('24.0.7'), apiVersion: '1.43' })).toMatchObject({ level: 'warn', detail: expect.stringContaining('lacks host_ipv6 (IPv6 egress), gw_priority'), fix: expect.stringContaining('upgrade') });
    expect(engineFinding({ version: v('20.10.24'), apiVersion: '1.41' }).level).toBe('warn');
    expect(engineFinding({ version: v('19.03.1'), apiVersion: '1.40' }).level).toBe('fail');
  });

  it('says what each compose version does with changed networks', () => {
    expect(composeFinding(v('2.40.3'), { version: v('28.5.2'), apiVersion: '1.51' })).toMatchObject({ level: 'ok', detail: expect.stringContaining('replaces networks whose options changed, gw_priority') });
    expect(composeFinding(v('2.26.1'), undefined)).toMatchObject({ level: 'warn', detail: expect.stringContaining('ipcompose up --recreate') });
  });
});
