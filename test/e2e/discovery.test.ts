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
/** Shows in the model which dotenv file compose read. */
const withV = `${base}    labels:\n      v: \${V:-none}\n`;

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
  { label: '.env of the working directory before the one beside the found file', files: { 'compose.yaml': withV, '.env': 'V=parent\n', 'sub/.env': 'V=sub\n' }, cwd: 'sub' },
  { label: '.env beside the found file when the working directory has none', files: { 'compose.yaml': withV, '.env': 'V=parent\n', 'sub/keep': '' }, cwd: 'sub' },
  { label: 'COMPOSE_FILE in another directory, .env in both', files: { 'other/x.yaml': withV, 'other/.env': 'V=other\n', '.env': 'V=cwd\n' }, env: { COMPOSE_FILE: 'other/x.yaml' } },
  { label: '-f in another directory, .env in both', files: { 'other/x.yaml': withV, 'other/.env': 'V=other\n', '.env': 'V=cwd\n' }, args: ['-f', 'other/x.yaml'] },
  { label: 'COMPOSE_ENV_FILES', files: { 'compose.yaml': withV, '.env': 'V=dotenv\n', 'a.env': 'V=a\n' }, env: { COMPOSE_ENV_FILES: 'a.env' } },
  { label: 'COMPOSE_DISABLE_ENV_FILE', files: { 'compose.yaml': withV, '.env': 'V=dotenv\n' }, env: { COMPOSE_DISABLE_ENV_FILE: '1' } },
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
    const plan = JSON.parse(r.stdout) as { project: string; actions: { kind: string; argv: string[]; path: string }[] };
    // What ipcompose hands compose, without its override and the subcommand.
    const argv = plan.actions.at(-1)!.argv.slice(0, -1);
    argv.splice(argv.indexOf(plan.actions.find((a) => a.kind === 'write-override')!.path) - 1, 2);
    const explicit = await sh(['env', '-C', cwd, ...Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v}`), ...argv, 'config']);
    expect(explicit.code, explicit.stderr).toBe(0);
    expect(explicit.stdout).toBe(own.stdout);
    expect(own.stdout).toContain(`name: ${plan.project}\n`);
  });
});
