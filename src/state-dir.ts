import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EnvironmentError } from './errors.js';

/**
 * ipcompose's private working directory: generated overrides, compose's
 * version and its model of each project. Private to the user, since compose
 * runs as them and reads the overrides.
 */
export function stateDir(env: NodeJS.ProcessEnv): string {
  if (env.IPCOMPOSE_STATE_DIR) return env.IPCOMPOSE_STATE_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'ipcompose');
  return join(tmpdir(), `ipcompose-${process.getuid?.() ?? 'user'}`);
}

/** Creates the directory if needed and refuses one that another user could have planted. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid())) {
    throw new EnvironmentError(`${dir} is not a directory owned by this user`, 'remove it, or set IPCOMPOSE_STATE_DIR to a private directory');
  }
}

/** Writes a file of the state directory. Write-then-rename: a concurrent reader never sees half a file. */
export function writeStateFile(path: string, text: string): void {
  ensurePrivateDir(dirname(path));
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Reads a JSON file of the state directory; undefined when it is missing or unreadable, so the caller works it out afresh. */
export function readStateFile<T>(path: string): Partial<T> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Partial<T>;
  } catch {
    return undefined;
  }
}
