import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXTRA, ipcompose, project, sh } from './bench.js';

/**
 * ipcompose names compose's files explicitly (its override is one more -f),
 * so its discovery must pick exactly the files compose would: the model
 * compose builds from ipcompose's list equals the one it builds on its own.
 */
interface Case {
  label: string;
  files: Record<string, string>;
  cwd?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

const base = `x-egress-ip: ${EXTRA[0]}\nservices:\n  web:\n    image: ipcompose-test/busybox\n    pull_policy: never\n`;

const cases: Case[] = [
  { label: 'compose.yaml plus compose.override.yaml', files: { 'compose.yaml': base, 'compose.override.yaml': 'networks:\n  extra: {}\nservices:\n  web:\n    networks: [default, extra]\n' } },
  { label: 'docker-compose.yml found from a subdirectory', files: { 'docker-compose.yml': base, 'sub/keep': '' }, cwd: 'sub' },
  { label: 'stacked -f files', files: { 'a.yaml': base, 'b.yaml': 'services:\n  web:\n    networks: [default, b]\nnetworks:\n  b: {}\n' }, args: ['-f', 'a.yaml', '-f', 'b.yaml'] },
  { label: 'COMPOSE_FILE from .env', files: { 'one.yaml': base, 'two.yaml': 'networks:\n  two: {}\nservices:\n  web:\n    networks: [two]\n', '.env': 'COMPOSE_FILE=one.yaml:two.yaml\n' } },
  { label: 'COMPOSE_FILE and COMPOSE_PROJECT_NAME from the environment', files: { 'x.yaml': base }, env: { COMPOSE_FILE: 'x.yaml', COMPOSE_PROJECT_NAME: 'from-env' } },
  { label: '-p wins over name:', files: { 'compose.yaml': `name: from-file\n${base}` }, args: ['-p', 'from-flag'] },
  { label: 'name: in the file', files: { 'compose.yaml': `name: from-file\n${base}` } },
  { label: '--env-file and profiles', files: { 'compose.yaml': `${base}  tool:\n    image: ipcompose-test/busybox\n    profiles: [tools]\n    networks: [toolnet]\nnetworks:\n  toolnet:\n    name: \${TOOLNET}\n`, 'custom.env': 'TOOLNET=tool-network\n' }, args: ['--env-file', 'custom.env', '--profile', 'tools'] },
  { label: '--project-directory', files: { 'proj/compose.yaml': base }, args: ['--project-directory', 'proj'] },
];

describe('project discovery agrees with compose', () => {
  it.each(cases)('$label', async (c) => {
    const root = project({});
    for (const [file, text] of Object.entries(c.files)) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), text);
    }
    const cwd = join(root, c.cwd ?? '.');
    const env = { ...process.env, ...c.env };
    const args = c.args ?? [];
    const own = await sh(['env', '-C', cwd, ...Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v}`), 'docker', 'compose', ...args, 'config']);
    expect(own.code, own.stderr).toBe(0);
    const r = await ipcompose([...args, 'plan', '--json'], { cwd, env });
    expect(r.status, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { project: string; files: string[] };
    const explicit = await sh([
      'env', '-C', cwd, ...Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v}`),
      'docker', 'compose', ...plan.files.flatMap((f) => ['-f', f]), ...args.filter((a, i) => a !== '-f' && args[i - 1] !== '-f'), 'config',
    ]);
    expect(explicit.code, explicit.stderr).toBe(0);
    expect(explicit.stdout).toBe(own.stdout);
    expect(own.stdout).toContain(`name: ${plan.project}\n`);
  });
});
