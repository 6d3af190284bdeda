import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from '../corpus-dir.js';
import { describe, expect, it } from 'vitest';
import { ipcompose, project, sh } from './bench.js';

const corpus = corpusDir!;

describe('ipcompose init on real files', () => {
  it.each([
    ['jitsi__docker-jitsi-meet/docker-compose.yml', ['--service', 'web']],
    ['mailcow__mailcow-dockerized/docker-compose.yml', ['--network', 'mailcow-network']],
    ['mailcow__mailcow-dockerized/docker-compose.yml', []],
  ])('%s %j: dry run shows the diff and writes nothing; the written file is what compose reads', async (file, placement) => {
    const dir = project({});
    copyFileSync(join(corpus, file), join(dir, 'docker-compose.yml'));
    const before = readFileSync(join(dir, 'docker-compose.yml'), 'utf8');
    const dry = await ipcompose(['init', ...placement, '--ip', '198.18.0.15', '--dry-run'], { cwd: dir });
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^--- a\/docker-compose\.yml\n\+\+\+ b\/docker-compose\.yml\n@@ /);
    expect(dry.stdout.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'))).toEqual([expect.stringMatching(/^\+ *x-egress-ip: 198\.18\.0\.15$/)]);
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toBe(before);

    const r = await ipcompose(['init', ...placement, '--ip', '198.18.0.15'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const config = await sh(['docker', 'compose', '--project-directory', dir, 'config']);
    expect(config.code, config.stderr).toBe(0);
    expect(config.stdout).toContain('x-egress-ip: 198.18.0.15');

    const again = await ipcompose(['init', ...placement, '--ip', '198.18.0.16'], { cwd: dir });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/hint: pass --force/);
    expect((await ipcompose(['init', ...placement, '--ip', '198.18.0.16', '--force'], { cwd: dir })).status).toBe(0);
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toContain('x-egress-ip: 198.18.0.16');
  });

  it('rejects a bad address with exit status 2', async () => {
    const dir = project({ 'compose.yaml': 'services:\n  web:\n    image: x\n' });
    const r = await ipcompose(['init', '--ip', '198.18.0.300'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not an IP address/);
  });
});
