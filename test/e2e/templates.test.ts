import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXTRA, ipcompose, project, service, sh } from './bench.js';

const templates = join(dirname(fileURLToPath(import.meta.url)), '../../templates');

describe('templates', () => {
  it.each(readdirSync(join(templates, 'snippets')))('snippet %s, added as a compose file, plans cleanly', async (snippet) => {
    const dir = project({
      'compose.yaml': `services:\n  web:\n${service('    networks: [default, public]')}\n  mail:\n${service()}\nnetworks:\n  public:\n    enable_ipv6: true\n`,
      'snippet.yaml': readFileSync(join(templates, 'snippets', snippet), 'utf8'),
      '.env': `EGRESS_IP=${EXTRA[0]}\nMAIL_IP=${EXTRA[1]}\nEGRESS_IPV4=${EXTRA[2]}\nEGRESS_IPV6=fd18:0:0:1::13\n`,
    });
    const r = await ipcompose(['-f', 'compose.yaml', '-f', 'snippet.yaml', 'plan', '--json'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).networks.length).toBeGreaterThan(0);
  });

  it('the Makefile include runs plan and passes compose flags', async () => {
    const dir = project({ 'compose.yaml': `name: e2e-make\nx-egress-ip: ${EXTRA[0]}\nservices:\n  web:\n${service()}` });
    const make = await sh(['make', '--no-print-directory', '-C', dir, '-f', join(templates, 'ipcompose.mk'), 'plan-json', `IPCOMPOSE=${join(templates, '../bin/ipcompose')}`, 'COMPOSE_FLAGS=-f compose.yaml']);
    expect(make.code, make.stderr).toBe(0);
    expect(JSON.parse(make.stdout).project).toBe('e2e-make');
  });
});

describe('systemd units', () => {
  it('verify with systemd-analyze and run what they start', async () => {
    const dir = join(templates, 'systemd');
    const units = readdirSync(dir).map((u) => join(dir, u));
    expect(units.length).toBeGreaterThanOrEqual(4);
    const analyzed = await sh(['systemd-analyze', 'verify', '--man=no', ...units]);
    expect(analyzed.code, analyzed.stderr).toBe(0);
    for (const unit of units) {
      const exec = /^ExecStart=\/usr\/bin\/env ipcompose (\w+)$/m.exec(readFileSync(unit, 'utf8'));
      if (exec) expect((await ipcompose([exec[1]!], { cwd: '/' })).status).toBe(0);
    }
  });
});

describe('--help', () => {
  it.each(['up', 'down', 'plan', 'status', 'verify', 'doctor', 'init', 'reconcile'])('%s --help shows its options and an example', async (command) => {
    const r = await ipcompose([command, '--help'], { cwd: '/' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: ipcompose ${command}`));
    expect(r.stdout).toMatch(/Example:\n {2}ipcompose /);
  });

  it('the top-level help names every command', async () => {
    const r = await ipcompose(['--help'], { cwd: '/' });
    for (const command of ['up', 'down', 'plan', 'status', 'verify', 'doctor', 'init']) expect(r.stdout).toMatch(new RegExp(`\\n {2}${command}\\b`));
    expect(r.stdout).not.toMatch(/\n {2}probe\b/);
  });
});
