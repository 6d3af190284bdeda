import { withFileLock } from '../adapters/flock.js';
import type { Runner } from '../adapters/run.js';

/** In /run, writable by root only, as the nat table and ip rules are. */
export const HOST_LOCK = '/run/ipcompose.lock';

/**
 * Every change to ipcompose's chain and ip rules reads them, computes the
 * whole new state (other projects' rules kept, rules of vanished networks
 * dropped) and writes it back. Two runs at once (make -j, the reconcile
 * timer) would each write back what they read and drop the other's rule, so
 * the read, including the engine's network listing, and the write happen
 * under one host-wide lock.
 */
export function withHostLock<T>(run: Runner, work: () => Promise<T>): Promise<T> {
  return withFileLock(run, HOST_LOCK, work);
}
