import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyGlobals, resolveComposeFiles, resolveEnvFiles } from '../../src/project/compose-files.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ipc-files-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), text);
  }
  return root;
}

describe('resolveComposeFiles', () => {
  it('takes -f files in order, relative to the working directory', () => {
    const root = tree({});
    expect(resolveComposeFiles({ ...emptyGlobals(), files: ['a.yaml', '/x/b.yaml'] }, root, {})).toEqual([join(root, 'a.yaml'), '/x/b.yaml']);
  });

  it('refuses -f - (standard input)', () => {
    expect(() => resolveComposeFiles({ ...emptyGlobals(), files: ['-'] }, '/', {})).toThrow(/standard input/);
  });

  it('prefers compose.yaml and adds the override of the same directory', () => {
    const root = tree({ 'compose.yaml': '', 'docker-compose.yml': '', 'compose.override.yml': '', 'docker-compose.override.yml': '' });
    expect(resolveComposeFiles(emptyGlobals(), root, {})).toEqual([join(root, 'compose.yaml'), join(root, 'compose.override.yml')]);
  });

  it('searches parent directories', () => {
    const root = tree({ 'docker-compose.yaml': '', 'a/b/keep': '' });
    expect(resolveComposeFiles(emptyGlobals(), join(root, 'a/b'), {})).toEqual([join(root, 'docker-compose.yaml')]);
  });

  it('reads COMPOSE_FILE from the environment before .env, with COMPOSE_PATH_SEPARATOR', () => {
    const root = tree({ '.env': 'COMPOSE_FILE=from-dotenv.yaml\n', 'compose.yaml': '' });
    expect(resolveComposeFiles(emptyGlobals(), root, {})).toEqual([join(root, 'from-dotenv.yaml')]);
    expect(resolveComposeFiles(emptyGlobals(), root, { COMPOSE_FILE: 'a.yaml;b.yaml', COMPOSE_PATH_SEPARATOR: ';' })).toEqual([join(root, 'a.yaml'), join(root, 'b.yaml')]);
  });

  it('reads COMPOSE_FILE from --env-file instead of .env', () => {
    const root = tree({ '.env': 'COMPOSE_FILE=wrong.yaml\n', 'other.env': 'export COMPOSE_FILE="right.yaml" # comment\n' });
    expect(resolveComposeFiles({ ...emptyGlobals(), envFiles: ['other.env'] }, root, {})).toEqual([join(root, 'right.yaml')]);
  });

  it('starts from --project-directory', () => {
    const root = tree({ 'p/compose.yml': '' });
    expect(resolveComposeFiles({ ...emptyGlobals(), projectDirectory: 'p' }, root, {})).toEqual([join(root, 'p/compose.yml')]);
  });

  it('says so when there is no compose file', () => {
    expect(() => resolveComposeFiles(emptyGlobals(), tree({}), {})).toThrow(/no compose file found/);
  });
});

describe('resolveEnvFiles', () => {
  it('takes the working directory’s .env before the one beside files it found itself', () => {
    const root = tree({ 'compose.yaml': '', '.env': '', 'sub/.env': '', 'lone/keep': '' });
    const files = [join(root, 'compose.yaml')];
    expect(resolveEnvFiles(emptyGlobals(), join(root, 'sub'), files, {})).toEqual([join(root, 'sub/.env')]);
    expect(resolveEnvFiles(emptyGlobals(), join(root, 'lone'), files, {})).toEqual([join(root, '.env')]);
  });

  it('with -f, looks beside the first file only; with --project-directory, there only', () => {
    const root = tree({ 'a/x.yaml': '', 'a/.env': '', '.env': '', 'p/.env': '' });
    const files = [join(root, 'a/x.yaml')];
    expect(resolveEnvFiles({ ...emptyGlobals(), files: ['a/x.yaml'] }, root, files, {})).toEqual([join(root, 'a/.env')]);
    expect(resolveEnvFiles({ ...emptyGlobals(), projectDirectory: 'p' }, root, files, {})).toEqual([join(root, 'p/.env')]);
    expect(resolveEnvFiles({ ...emptyGlobals(), projectDirectory: '..' }, join(root, 'a'), files, {})).toEqual([join(root, '.env')]);
  });

  it('prefers --env-file, then COMPOSE_ENV_FILES; COMPOSE_DISABLE_ENV_FILE drops the default .env', () => {
    const root = tree({ 'compose.yaml': '', '.env': '' });
    const files = [join(root, 'compose.yaml')];
    expect(resolveEnvFiles({ ...emptyGlobals(), envFiles: ['x.env'] }, root, files, { COMPOSE_ENV_FILES: 'y.env' })).toEqual([join(root, 'x.env')]);
    expect(resolveEnvFiles(emptyGlobals(), root, files, { COMPOSE_ENV_FILES: 'y.env, z.env' })).toEqual([join(root, 'y.env'), join(root, 'z.env')]);
    expect(resolveEnvFiles(emptyGlobals(), root, files, { COMPOSE_DISABLE_ENV_FILE: 'true' })).toEqual([]);
    const bare = tree({ 'compose.yaml': '' });
    expect(resolveEnvFiles(emptyGlobals(), bare, [join(bare, 'compose.yaml')], {})).toEqual([]);
  });
});
