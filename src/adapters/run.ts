import { EnvironmentError } from '../errors.js';
import type { Output } from '../output.js';

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  /** An open file descriptor the program gets as its descriptor 3 (flock's lock file). */
  fd3?: number;
}

/**
 * Runs one external program to completion and captures its output. Adapters
 * receive a Runner rather than calling execa, so tests can check the exact
 * argv they build without starting anything.
 */
export type Runner = (argv: readonly string[], options?: RunOptions) => Promise<RunResult>;

export function createRunner(context: { cwd: string; env: NodeJS.ProcessEnv; output: Output }): Runner {
  return async (argv, options = {}) => {
    const [file, ...args] = argv;
    if (!file) throw new Error('empty argv');
    context.output.command(argv);
    // Loaded on first use: it costs ~50 ms of start-up, and `up` on an
    // unchanged project starts nothing but compose, which delegate.ts runs.
    const { execa } = await import('execa');
    const result = await execa(file, args, {
      cwd: context.cwd,
      env: context.env,
      extendEnv: false,
      reject: false,
      stripFinalNewline: false,
      ...stdioOptions(options),
    });
    if (result.failed && result.exitCode === undefined) {
      const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ENOENT') {
        throw new EnvironmentError(`${file} is not installed or not on PATH`, installHint(file));
      }
      if (code === 'EACCES') {
        throw new EnvironmentError(`no permission to run ${file}`, 'run ipcompose as root, or fix the file mode');
      }
      throw new EnvironmentError(`${file} could not be run: ${result.shortMessage}`);
    }
    return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
  };
}

function stdioOptions(options: RunOptions) {
  if (options.input !== undefined) return { input: options.input };
  // execa's types name descriptors 3-9 only; any open one works, handed to spawn as it is.
  if (options.fd3 !== undefined) return { stdio: ['ignore', 'pipe', 'pipe', options.fd3 as 3] as const };
  return { stdin: 'ignore' as const };
}

function installHint(file: string): string {
  switch (file) {
    case 'ip':
      return 'install iproute2 (Debian: apt-get install iproute2)';
    case 'nsenter':
    case 'flock':
      return 'install util-linux (Debian: apt-get install util-linux)';
    case 'iptables':
    case 'ip6tables':
    case 'iptables-save':
    case 'iptables-restore':
    case 'ip6tables-restore':
      return 'install iptables (Debian: apt-get install iptables)';
    default:
      return `install ${file}`;
  }
}

/** The first useful line of a tool's error output, for one-line messages. */
export function firstErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.find((l) => !/^(WARN|time=)/.test(l)) ?? lines[0] ?? '';
}
