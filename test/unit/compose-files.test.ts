import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyGlobals, resolveComposeFiles } from '../../src/project/compose-files.js';

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
