import { closeSync, openSync } from 'node:fs';
import { EnvironmentError } from '../errors.js';
import type { Runner } from './run.js';

/**
 * Runs `work` holding an exclusive flock(2) on `path`, taken by util-linux
 * `flock` on a descriptor it inherits from us: the lock belongs to the open
 * file, so it stays ours after flock exits, and the kernel drops it when we
 * close the file or die. No stale lock survives a crash. Without the right to
 * open the file, `work` runs unguarded.
 */
export async function withFileLock<T>(run: Runner, path: string, work: () => Promise<T>, waitSeconds = 60): Promise<T> {
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o600);
  } catch (error) {
    if (['EACCES', 'EPERM', 'EROFS', 'ENOENT'].includes((error as NodeJS.ErrnoException).code ?? '')) return work();
    throw error;
  }
  try {
    const result = await run(['flock', '--exclusive', '--wait', String(waitSeconds), '3'], { fd3: fd });
    if (result.exitCode !== 0) {
      throw new EnvironmentError(
        `could not lock ${path} within ${waitSeconds} s: ${result.stderr.trim() || 'another ipcompose holds it'}`,
        `wait for the other ipcompose to finish; \`fuser -v ${path}\` shows who holds it`,
      );
    }
    return await work();
  } finally {
    closeSync(fd);
  }
}
