import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { composeDown, EXTRA, ipcompose, project, seenFrom, service } from './bench.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const commands = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('$ '));

async function plannedAddress(dir: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await ipcompose(['plan', '--json'], { cwd: dir, env });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { networks: { ipv4: string }[] }).networks[0]!.ipv4;
}

describe('compose’s model of the project is reused only while nothing it reads has changed', () => {
  it('a second up on an unchanged project starts compose up and nothing else', async () => {
    const dir = project({ 'compose.yaml': `name: e2e-cache-up\nx-egress-ip: ${EXTRA[0]}\nservices:\n  web:\n${service()}` }, 'e2e-cache-up');
    cleanups.push(() => composeDown(dir, 'e2e-cache-up'));
    const first = await ipcompose(['-v', 'up', '-d'], { cwd: dir });
    expect(first.status, first.stderr).toBe(0);
    expect(commands(first.stderr).filter((l) => l.includes(' config --no-path-resolution'))).toHaveLength(1);
    const second = await ipcompose(['-v', 'up', '-d'], { cwd: dir });
    expect(second.status, second.stderr).toBe(0);
    expect(commands(second.stderr)).toEqual([expect.stringMatching(/docker-compose -f \S+compose\.yaml -f \S+\.override\.yaml up -d$/)]);
    expect(second.stderr).toContain('its model reused');
    expect(await seenFrom('e2e-cache-up-web-1')).toBe(EXTRA[0]);
  });

  it('an edit of the file or .env, or a variable the file names, is seen at once', async () => {
    const dir = project({ 'compose.yaml': `name: e2e-cache-edit\nx-egress-ip: \${ADDR}\nservices:\n  web:\n${service()}`, '.env': `ADDR=${EXTRA[0]}\n` }, 'e2e-cache-edit');
    expect(await plannedAddress(dir)).toBe(EXTRA[0]);
    expect(await plannedAddress(dir)).toBe(EXTRA[0]);
    writeFileSync(join(dir, '.env'), `ADDR=${EXTRA[1]}\n`);
    expect(await plannedAddress(dir)).toBe(EXTRA[1]);
    expect(await plannedAddress(dir, { ADDR: EXTRA[2] })).toBe(EXTRA[2]);
    expect(await plannedAddress(dir)).toBe(EXTRA[1]);
    writeFileSync(join(dir, 'compose.yaml'), `name: e2e-cache-edit\nx-egress-ip: ${EXTRA[3]}\nservices:\n  web:\n${service()}`);
    expect(await plannedAddress(dir)).toBe(EXTRA[3]);
  });
});
