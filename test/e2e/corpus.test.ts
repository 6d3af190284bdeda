import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { corpusDir } from '../corpus-dir.js';
import { describe, expect, it } from 'vitest';
import { EXTRA, ipcompose, project, sh } from './bench.js';

/**
 * Acceptance over ../shared/compose-corpus: with an x-egress-ip added, every
 * file compose accepts gives the same project name and networks (engine names
 * included) in ipcompose as in `docker compose config`; every file compose
 * rejects gives compose's own reason and exit status 2.
 */
const corpus = corpusDir;

const rows = corpus
  ? readFileSync(join(corpus, 'INDEX.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t')[0]!)
  : [];

interface ComposeJson {
  name: string;
  networks?: Record<string, { name?: string; external?: boolean }>;
}

describe('compose corpus', () => {
  it('is present', () => {
    expect(corpus, 'shared/compose-corpus next to the checkout').toBeDefined();
    expect(rows.length).toBe(80);
  });

  it.each(rows)('%s', async (file) => {
    const source = join(corpus!, file);
    const envFile = source.replace(/__[^_]*?compose[^/]*$|__docker-compose[^/]*$/, '__.env');
    const dir = project({ 'compose.yaml': `${readFileSync(source, 'utf8')}\nx-egress-ip: ${EXTRA[0]}\n` }, `c${rows.indexOf(file)}`);
    if (envFile !== source && existsSync(envFile)) copyFileSync(envFile, join(dir, '.env'));

    const direct = await sh(['docker', 'compose', '--project-directory', dir, '-f', join(dir, 'compose.yaml'), 'config', '--format', 'json']);
    const r = await ipcompose(['plan', '--json'], { cwd: dir });
    if (direct.code !== 0) {
      expect(r.status, r.stderr).toBe(2);
      // Compose reports the first problem it meets, and for files with
      // several that depends on Go's map order (schema__using-variables gives
      // "invalid boolean" or "strconv.Atoi" for different keys from run to
      // run): compare the kind of error, names blanked out.
      const kind = (text: string) => text.split(': ')[0]!.replace(/"[^"]*"/g, '"…"').replace(/\S*[/.]\S*/g, '…').trim();
      const reason = direct.stderr.trim().split('\n').pop()!;
      const ours = r.stderr.split('\n')[0]!.replace('ipcompose: error: compose rejected the project: ', '');
      expect(r.stderr).toMatch(/^ipcompose: error: compose rejected the project: /);
      expect(kind(ours)).toBe(kind(reason));
      expect(r.stderr).not.toMatch(/level=warn/);
      return;
    }
    expect(r.status, r.stderr).toBe(0);
    const expected = JSON.parse(direct.stdout) as ComposeJson;
    const plan = JSON.parse(r.stdout) as {
      project: string;
      projectNetworks: { key: string; name: string; external: boolean }[];
      networks: { key: string; ipv4: string | null }[];
    };
    expect(plan.project).toBe(expected.name);
    const want = Object.entries(expected.networks ?? {}).map(([key, n]) => ({ key, name: n.name ?? `${expected.name}_${key}`, external: n.external === true }));
    expect(plan.projectNetworks).toEqual(want);
    // The project-wide address reaches every network the project creates and can route.
    for (const n of plan.networks) expect(n.ipv4).toBe(EXTRA[0]);
    writeFileSync(join(dir, '..', `${basename(file)}.checked`), '');
  });
});
