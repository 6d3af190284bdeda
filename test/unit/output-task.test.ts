import { describe, expect, it } from 'vitest';
import { Output } from '../../src/output.js';

function output(isTTY: boolean, flags: { quiet?: boolean } = {}) {
  const err: string[] = [];
  const o = new Output({ env: {}, ...flags, stderr: { isTTY, write: (s: string) => err.push(s) }, stdout: { write: () => true } });
  return { o, err };
}

describe('Output.task', () => {
  it('prints one plain line when not on a terminal', async () => {
    const { o, err } = output(false);
    expect(await o.task('creating network n', async () => 42)).toBe(42);
    expect(err.join('')).toBe('ipcompose creating network n\n');
  });

  it('draws a spinner on a terminal and ends it with a mark', async () => {
    const { o, err } = output(true);
    await o.task('creating network n', () => new Promise((r) => setTimeout(r, 200)));
    const text = err.join('');
    expect(text).toContain('\r\u001b[2K⠋ creating network n');
    expect(text.endsWith('\r\u001b[2K✓ creating network n\n')).toBe(true);
    const failing = output(true);
    await expect(failing.o.task('x', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(failing.err.join('')).toContain('✗ x\n');
  });

  it('prints nothing with --quiet', async () => {
    const { o, err } = output(true, { quiet: true });
    await o.task('x', async () => 1);
    expect(err).toEqual([]);
  });
});
