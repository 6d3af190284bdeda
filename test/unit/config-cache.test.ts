import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult, Runner } from '../../src/adapters/run.js';
import { cachedComposeConfig, configDigest, type ConfigInputs } from '../../src/project/config-cache.js';

/** A project folder with a compose file, a .env and a stand-in compose binary. */
function fixture(compose = 'name: p\nservices:\n  web:\n    image: ${IMAGE:-busybox}\n', dotenv = 'X=1\n'): ConfigInputs {
  const dir = mkdtempSync(join(tmpdir(), 'ipc-cache-'));
  writeFileSync(join(dir, 'compose.yaml'), compose);
  writeFileSync(join(dir, '.env'), dotenv);
  writeFileSync(join(dir, 'docker-compose'), 'binary');
  const files = [join(dir, 'compose.yaml')];
  const envFiles = [join(dir, '.env')];
  return { command: join(dir, 'docker-compose'), args: ['-f', files[0]!, '--env-file', envFiles[0]!], cwd: dir, files, envFiles, env: { IMAGE: 'a', HOME: '/root' } };
}

function fakeCompose(onRun: () => void = () => {}) {
  const calls: string[][] = [];
  let model = 0;
  const run: Runner = async (argv): Promise<RunResult> => {
    calls.push([...argv]);
    onRun();
    return { exitCode: 0, stdout: `name: p\nx-run: ${++model}\n`, stderr: '' };
  };
  return { run, calls };
}

describe('configDigest', () => {
  it('stays the same while nothing compose reads changes, however the rest of the environment moves', () => {
    const inputs = fixture();
    const digest = configDigest(inputs);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(configDigest({ ...inputs, env: { ...inputs.env, OLDPWD: '/elsewhere', SHLVL: '3' } })).toBe(digest);
  });

  it.each<[string, (i: ConfigInputs) => ConfigInputs]>([
    ['a compose file’s text', (i) => (writeFileSync(i.files[0]!, 'name: q\n'), i)],
    ['the .env text', (i) => (writeFileSync(i.envFiles[0]!, 'X=2\n'), i)],
    ['a variable the file names', (i) => ({ ...i, env: { ...i.env, IMAGE: 'b' } })],
    ['a variable the file names, unset', (i) => ({ ...i, env: { HOME: '/root' } })],
    ['a COMPOSE_ setting', (i) => ({ ...i, env: { ...i.env, COMPOSE_PROFILES: 'tools' } })],
    ['a DOCKER_ setting', (i) => ({ ...i, env: { ...i.env, DOCKER_DEFAULT_PLATFORM: 'linux/arm64' } })],
    ['the flags', (i) => ({ ...i, args: [...i.args, '--profile', 'x'] })],
    ['the working directory', (i) => ({ ...i, cwd: '/' })],
    ['the compose binary', (i) => (utimesSync(i.command, new Date(0), new Date(0)), i)],
  ])('changes with %s', (_label, change) => {
    const inputs = fixture();
    const digest = configDigest(inputs);
    expect(configDigest(change(inputs))).not.toBe(digest);
  });

  it('counts variables that only the .env file names', () => {
    const inputs = fixture(undefined, 'TAG=${BASE_TAG}\n');
    expect(configDigest({ ...inputs, env: { ...inputs.env, BASE_TAG: '2' } })).not.toBe(configDigest(inputs));
  });

  it.each([
    ['include', 'include:\n  - other/compose.yaml\nservices: {}\n'],
    ['extends', 'services:\n  web:\n    extends:\n      file: base.yaml\n      service: web\n'],
  ])('gives up on %s, which pulls in files ipcompose does not read', (_label, text) => {
    expect(configDigest(fixture(text))).toBeUndefined();
  });

  it('gives up on a compose file it cannot read', () => {
    const inputs = fixture();
    expect(configDigest({ ...inputs, files: [...inputs.files, join(inputs.cwd, 'missing.yaml')] })).toBeUndefined();
  });
});

describe('cachedComposeConfig', () => {
  it('asks compose once, then reuses its model until an input changes', async () => {
    const inputs = fixture();
    const state = join(inputs.cwd, 'state');
    const compose = fakeCompose();
    expect(await cachedComposeConfig(compose.run, inputs, state)).toEqual({ model: { name: 'p', 'x-run': 1 }, reused: false });
    expect(await cachedComposeConfig(compose.run, inputs, state)).toEqual({ model: { name: 'p', 'x-run': 1 }, reused: true });
    expect(compose.calls).toEqual([[inputs.command, ...inputs.args, 'config', '--no-path-resolution']]);
    writeFileSync(inputs.envFiles[0]!, 'X=2\n');
    expect(await cachedComposeConfig(compose.run, inputs, state)).toEqual({ model: { name: 'p', 'x-run': 2 }, reused: false });
    expect(compose.calls).toHaveLength(2);
  });

  it('keeps nothing when a file changed while compose read it', async () => {
    const inputs = fixture();
    const original = 'name: p\n';
    writeFileSync(inputs.files[0]!, original);
    const state = join(inputs.cwd, 'state');
    // The first compose run sees an edit in progress; then the edit is undone.
    const compose = fakeCompose(() => compose.calls.length === 1 && writeFileSync(inputs.files[0]!, 'name: edited\n'));
    await cachedComposeConfig(compose.run, inputs, state);
    writeFileSync(inputs.files[0]!, original);
    expect((await cachedComposeConfig(compose.run, inputs, state)).reused).toBe(false);
  });

  it('always asks compose for a project with include', async () => {
    const inputs = fixture('include:\n  - other.yaml\n');
    const compose = fakeCompose();
    await cachedComposeConfig(compose.run, inputs, join(inputs.cwd, 'state'));
    await cachedComposeConfig(compose.run, inputs, join(inputs.cwd, 'state'));
    expect(compose.calls).toHaveLength(2);
  });
});
