import { afterAll, describe, expect, it } from 'vitest';
import { CLI, composeDown, EXTRA, ipcompose, project, service, sh } from './bench.js';

describe('ipcompose status', () => {
  const dir = project({ 'compose.yaml': `name: e2e-status\nx-egress-ip: ${EXTRA[4]}\nservices:\n  web:\n${service()}` }, 'e2e-status');
  afterAll(() => composeDown(dir, 'e2e-status'));

  it('shows one row per egress network of the project, and of the host with --all', async () => {
    expect((await ipcompose(['up', '-d'], { cwd: dir })).status).toBe(0);
    const r = await ipcompose(['status'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`e2e-status_default +e2e-status +${EXTRA[4]} +native +v4 present, first +${EXTRA[4]} +e2e-status-web-1`));
    const all = await ipcompose(['status', '--all', '--json'], { cwd: '/' });
    const doc = JSON.parse(all.stdout) as { networks: { network: string; rule: { ipv4?: string }; containers: string[] }[] };
    expect(doc.networks).toContainEqual(expect.objectContaining({ network: 'e2e-status_default', rule: { ipv4: 'first' }, containers: ['e2e-status-web-1'] }));
  });

  it('uses colour on a terminal only, and never with NO_COLOR', async () => {
    const tty = (env: string) => sh(['script', '-qec', `cd ${dir} && env ${env} ${CLI} status`, '/dev/null']);
    expect((await tty('TERM=xterm')).stdout).toContain('\u001b[');
    expect((await tty('NO_COLOR=1')).stdout).not.toContain('\u001b[');
    expect((await ipcompose(['status'], { cwd: dir, env: { NO_COLOR: '' } })).stdout).not.toContain('\u001b[');
  });
});
