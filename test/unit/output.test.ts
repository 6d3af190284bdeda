import { describe, expect, it } from 'vitest';
import { Output } from '../../src/output.js';

async function capture(tty: { out: boolean; err: boolean }, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const output = await Output.create({
    env,
    stdout: { isTTY: tty.out, write: (s: string) => out.push(s) },
    stderr: { isTTY: tty.err, write: (s: string) => err.push(s) },
  });
  output.print(output.color.red('table'));
  output.error('bad', 'fix it');
  return { out: out.join(''), err: err.join('') };
}

describe('Output', () => {
  it('colours a stream only when it is a terminal', async () => {
    expect(await capture({ out: false, err: true })).toEqual({ out: 'table\n', err: expect.stringContaining('\u001b[') });
    expect((await capture({ out: true, err: false })).out).toContain('\u001b[');
    expect((await capture({ out: true, err: false })).err).toBe('ipcompose: error: bad\n  hint: fix it\n');
  });

  it('never colours with NO_COLOR', async () => {
    expect(await capture({ out: true, err: true }, { NO_COLOR: '1' })).toEqual({ out: 'table\n', err: 'ipcompose: error: bad\n  hint: fix it\n' });
  });
});
