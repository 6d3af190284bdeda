import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { EnvironmentError } from './errors.js';

/**
 * Runs a program in our place, as tsx runs node: it inherits stdio, receives
 * SIGINT and SIGTERM, and its exit status (or 128 + signal) becomes ours.
 */
export function delegate(argv: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
  const [file, ...args] = argv;
  if (!file) throw new Error('empty argv');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: 'inherit' });
    const relay = (signal: NodeJS.Signals) => {
      // Ctrl-C on a terminal already reached the child: it is in our process
      // group. Sending it again would count as a second Ctrl-C, which makes
      // compose abort its graceful stop.
      if (signal === 'SIGINT' && inTerminalForeground()) return;
      child.kill(signal);
    };
    process.on('SIGINT', relay);
    process.on('SIGTERM', relay);
    const done = () => {
      process.off('SIGINT', relay);
      process.off('SIGTERM', relay);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      done();
      reject(error.code === 'ENOENT' ? new EnvironmentError(`${file} is not installed or not on PATH`) : error);
    });
    child.on('exit', (code, signal) => {
      done();
      resolvePromise(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}

/** True when this process belongs to its terminal's foreground process group (proc(5): pgrp and tpgid). */
function inTerminalForeground(): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(fields[2]);
    const tpgid = Number(fields[5]);
    return tpgid > 0 && tpgid === pgrp;
  } catch {
    return false;
  }
}
