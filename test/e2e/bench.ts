import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Addresses of the simulated uplink (test/bench/uplink.sh). */
export const PRIMARY = '198.18.0.1';
export const EXTRA = ['198.18.0.11', '198.18.0.12', '198.18.0.13', '198.18.0.14', '198.18.0.15', '198.18.0.16', '198.18.0.17'] as const;
export const PEER = '198.18.0.254';
export const IMAGE = 'ipcompose-test/busybox:latest';

export const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../bin/ipcompose');

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would. */
export function ipcompose(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(CLI, args, { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** A fresh project directory holding the given files. */
export function project(files: Record<string, string>, name = 'proj'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'ipc-e2e-')), name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** A service that answers HTTP on port 80 and stops at once. */
export function service(extra = ''): string {
  return `    image: ${IMAGE}
    pull_policy: never
    init: true
    command: httpd -f -p 80 -h /www
${extra}`;
}

export async function sh(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(argv[0]!, argv.slice(1), { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The source address the peer sees for a connection opened inside the container. */
export async function seenFrom(container: string): Promise<string> {
  // Debian 12's busybox `wget -T` crashes; an outer timeout bounds the request.
  const r = await sh(['docker', 'exec', container, 'timeout', '5', 'wget', '-qO-', `http://${PEER}/`]);
  return r.stdout.trim();
}

/** Connects from the peer (the "internet") to an address of this host. */
export async function fromPeer(address: string, port: number): Promise<boolean> {
  const host = address.includes(':') ? `[${address}]` : address;
  const r = await sh(['ip', 'netns', 'exec', 'ipc-peer', 'curl', '-s', '-m', '3', `http://${host}:${port}/`]);
  return r.code === 0 && r.stdout.trim() === 'ok';
}

/**
 * Removes a compose project whatever state it is in (even with a broken
 * compose file), then lets ipcompose drop SNAT rules whose network is gone.
 */
export async function composeDown(dir: string, project: string): Promise<void> {
  await sh(['docker', 'compose', '--project-directory', dir, '-p', project, 'down', '-t', '0', '--remove-orphans']);
  await sh([CLI, '-q', 'reconcile']);
}

/** Networks and the nat table, for before/after comparisons. */
export async function hostState(): Promise<{ networks: string; nat: string }> {
  const networks = await sh(['docker', 'network', 'ls', '--no-trunc', '--format', '{{.ID}} {{.Name}}']);
  const nat = await sh(['iptables-save', '-t', 'nat']);
  return {
    networks: networks.stdout.split('\n').sort().join('\n'),
    // Counters and the generation comment change on their own.
    nat: nat.stdout
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.replace(/\[\d+:\d+\]/g, ''))
      .join('\n'),
  };
}
