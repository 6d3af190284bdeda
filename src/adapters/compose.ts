import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { EnvironmentError, UserError } from '../errors.js';
import { readStateFile, writeStateFile } from '../state-dir.js';
import type { ComposeGlobals } from '../project/compose-files.js';
import type { ComposeModel } from '../project/model.js';
import { parseVersion, type Version } from '../versions.js';
import type { Runner } from './run.js';

/** How to start Compose v2 on this host, and which version it is. */
export interface ComposeCli {
  /** argv prefix: the plugin binary run standalone, or a v2 `docker-compose`. */
  command: string;
  version: Version;
}

/**
 * Where the docker CLI looks for its compose plugin (docker/cli
 * cli-plugins/manager: the user's config dir first, then the system dirs).
 * ipcompose runs the plugin binary directly: compose v2 supports standalone
 * use with the same flags and DOCKER_HOST / DOCKER_CONTEXT, and skipping the
 * docker CLI hop halves the cost of every compose call.
 */
export function composeCandidates(env: NodeJS.ProcessEnv): string[] {
  const configDir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  const pluginDirs = [
    join(configDir, 'cli-plugins'),
    '/usr/local/lib/docker/cli-plugins',
    '/usr/local/libexec/docker/cli-plugins',
    '/usr/lib/docker/cli-plugins',
    '/usr/libexec/docker/cli-plugins',
  ];
  const onPath = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  return [...pluginDirs, ...onPath].map((dir) => join(dir, 'docker-compose'));
}

export function findComposeBinary(env: NodeJS.ProcessEnv): string {
  const found = composeCandidates(env).find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) {
    throw new EnvironmentError(
      'Docker Compose v2 was not found (neither the docker compose plugin nor a docker-compose binary)',
      'install Compose v2: the docker-compose package on Debian 13+, or docker-compose-plugin from Docker',
    );
  }
  return found;
}

/** Which compose binary this is, for answers kept between runs: its path, size and mtime. */
export function composeIdentity(command: string): string {
  const stat = statSync(command);
  return `${command}\0${stat.size}\0${stat.mtimeMs}`;
}

/**
 * Compose's version. Asking costs a process on every run, so the answer is
 * kept in `cacheFile` for as long as the binary stays the same.
 */
export async function composeVersion(run: Runner, command: string, cacheFile?: string): Promise<Version> {
  const key = composeIdentity(command);
  const cached = cacheFile ? readStateFile<{ key: string; version: string }>(cacheFile) : undefined;
  let text = cached?.key === key ? cached.version : undefined;
  const asked = text === undefined;
  if (text === undefined) {
    const result = await run([command, 'version', '--short']);
    if (result.exitCode !== 0) throw new EnvironmentError(`${command} did not report its version: ${result.stderr.trim()}`);
    text = result.stdout.trim();
  }
  const version = parseVersion(text);
  if (!version) throw new EnvironmentError(`${command} reported no version it can read: ${text}`);
  if (cacheFile && asked && version.major >= 2) writeStateFile(cacheFile, JSON.stringify({ key, version: text }));
  if (version.major < 2) {
    throw new EnvironmentError(
      `${command} is Compose v1 (${version.text}), which reached end of life; ipcompose needs Compose v2`,
      'install Compose v2 (the docker-compose package on Debian 13+, or docker-compose-plugin from Docker) and remove the v1 binary from PATH',
    );
  }
  return version;
}

/** Compose's global flags, with the compose files and dotenv files made explicit. */
export function globalArgs(globals: ComposeGlobals, files: readonly string[], envFiles: readonly string[]): string[] {
  return [
    ...files.flatMap((f) => ['-f', f]),
    ...(globals.projectName !== undefined ? ['-p', globals.projectName] : []),
    ...(globals.projectDirectory !== undefined ? ['--project-directory', globals.projectDirectory] : []),
    ...globals.profiles.flatMap((p) => ['--profile', p]),
    ...envFiles.flatMap((e) => ['--env-file', e]),
    ...globals.extra,
  ];
}

/**
 * The project as compose resolves it: files merged, `include` and `extends`
 * applied, `${VAR}` interpolated, profiles filtered, names resolved. YAML, not
 * JSON: `--format json` drops nested `x-` fields such as a service's
 * x-egress-ip.
 */
export async function composeConfig(run: Runner, command: string, args: readonly string[]): Promise<ComposeModel> {
  // Relative paths stay relative: ipcompose reads names and extensions only,
  // and resolving them costs compose a sixth of its run.
  const running = run([command, ...args, 'config', '--no-path-resolution']);
  // The YAML parser loads while compose works, not after.
  const yaml = import('../project/yaml-text.js');
  const result = await running;
  if (result.exitCode !== 0) {
    // Compose's warnings (unset variables, …) come again when compose itself runs; the reason is the rest.
    const reason = result.stderr
      .split('\n')
      .filter((l) => l.trim() !== '' && !/level=warn/.test(l))
      .join('\n');
    throw new UserError(
      `compose rejected the project: ${reason || `exit status ${result.exitCode}`}`,
      'fix the compose file; `docker compose config` shows the same error',
    );
  }
  const { parse } = await yaml;
  const model = parse(result.stdout) as ComposeModel | null;
  if (!model || typeof model !== 'object' || typeof model.name !== 'string') {
    throw new Error(`unexpected output from ${command} config`);
  }
  return model;
}
