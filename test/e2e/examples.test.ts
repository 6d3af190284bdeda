import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fromPeer, ipcompose, PRIMARY, seenFrom, sh } from './bench.js';

const examples = join(dirname(fileURLToPath(import.meta.url)), '../../examples');

describe('examples', () => {
  const dir = join(examples, 'quickstart');
  afterAll(() => sh(['docker', 'compose', '--project-directory', dir, 'down', '-t', '0']));

  it('quickstart: both directions on EGRESS_IP', async () => {
    const r = await ipcompose(['up', '-d'], { cwd: dir, env: { EGRESS_IP: '198.18.0.16' } });
    expect(r.status, r.stderr).toBe(0);
    expect(await seenFrom('quickstart-web-1')).toBe('198.18.0.16');
    expect(await fromPeer('198.18.0.16', 8080)).toBe(true);
    expect(await fromPeer(PRIMARY, 8080)).toBe(false);
    const down = await ipcompose(['down', '-t', '0'], { cwd: dir, env: { EGRESS_IP: '198.18.0.16' } });
    expect(down.status).toBe(0);
  });
});
