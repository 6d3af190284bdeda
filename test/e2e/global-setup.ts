import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * End-to-end tests need the bench that test/bench/setup.sh prepares. They
 * never skip: a missing bench fails the run and says how to make one.
 */
export default function setup(): void {
  const missing: string[] = [];
  const ok = (argv: string[]) => {
    try {
      execFileSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (!ok(['docker', 'info'])) missing.push('a running dockerd');
  if (!ok(['docker', 'image', 'inspect', 'ipcompose-test/busybox:latest'])) missing.push('the test image');
  if (!ok(['ip', 'link', 'show', 'ipc-up0'])) missing.push('the simulated uplink');
  if (!existsSync(new URL('../../dist/ipcompose.js', import.meta.url))) missing.push('the build (npm run build)');
  if (missing.length > 0) {
    throw new Error(`end-to-end bench incomplete: ${missing.join(', ')}. Run: sudo bash test/bench/setup.sh && npm run build`);
  }
}
