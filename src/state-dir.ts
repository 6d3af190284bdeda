import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from './errors.js';

/**
 * ipcompose's private working directory: generated overrides and the compose
 * version cache. Private to the user, since compose runs as them.
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
