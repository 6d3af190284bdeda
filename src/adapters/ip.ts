import { EnvironmentError } from '../errors.js';
import { firstErrorLine, type Runner } from './run.js';

export interface IpRule {
  priority: number;
  src?: string;
  srclen?: number;
  table?: string;
  protocol?: string;
}

/** The IPv4 policy routing rules (`ip -j rule show`). */
export async function ipRules(run: Runner): Promise<IpRule[]> {
  const result = await run(['ip', '-j', '-4', 'rule', 'show']);
  if (result.exitCode !== 0) throw new EnvironmentError(`ip rule show failed: ${firstErrorLine(result.stderr)}`);
  return JSON.parse(result.stdout || '[]') as IpRule[];
}

/** Several `ip` commands in one process (`ip -batch -`); stops at the first failure. */
export async function ipBatch(run: Runner, commands: readonly string[]): Promise<void> {
  if (commands.length === 0) return;
  const result = await run(['ip', '-batch', '-'], { input: `${commands.join('\n')}\n` });
  if (result.exitCode !== 0) {
    throw new EnvironmentError(`ip refused ipcompose's routing: ${firstErrorLine(result.stderr)}`, 'run ipcompose as root; check the gateway with `ip route`');
  }
}
