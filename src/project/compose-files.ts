import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';

/** Compose's global flags, as the user gave them to ipcompose. */
export interface ComposeGlobals {
  files: string[];
  projectName?: string;
  projectDirectory?: string;
  profiles: string[];
  envFiles: string[];
  /** Other compose global flags (--ansi, --progress, …), passed on verbatim. */
  extra: string[];
}

export const emptyGlobals = (): ComposeGlobals => ({ files: [], profiles: [], envFiles: [], extra: [] });

// compose-go cli/options.go: DefaultFileNames and DefaultOverrideFileNames, in
// order of preference.
const DEFAULT_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const DEFAULT_OVERRIDE_NAMES = [
  'compose.override.yml',
  'compose.override.yaml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
];

/**
 * The compose files compose itself would load, as absolute paths.
 *
 * ipcompose hands compose an extra `-f` for its generated override, and an
 * explicit `-f` switches compose's own discovery off. So the files compose
 * would have found must be named explicitly, in compose's order: `-f` flags,
 * else COMPOSE_FILE (environment, then the project's .env), else the first
 * directory from the working directory upwards holding a default file name,
 * plus its override file.
 */
export function resolveComposeFiles(globals: ComposeGlobals, cwd: string, env: NodeJS.ProcessEnv): string[] {
  if (globals.files.length > 0) {
    if (globals.files.includes('-')) {
      throw new UserError(
        'ipcompose cannot read a compose file from standard input (-f -)',
        'write it to a file and pass that with -f',
      );
    }
    return globals.files.map((f) => resolve(cwd, f));
  }
  const workingDir = resolve(cwd, globals.projectDirectory ?? '.');
  const fromDotEnv = readDotEnvKeys(dotEnvFiles(globals, cwd, workingDir, env), [
    'COMPOSE_FILE',
    'COMPOSE_PATH_SEPARATOR',
  ]);
  const composeFile = env.COMPOSE_FILE ?? fromDotEnv.COMPOSE_FILE;
  if (composeFile !== undefined && composeFile !== '') {
    const separator = env.COMPOSE_PATH_SEPARATOR || fromDotEnv.COMPOSE_PATH_SEPARATOR || ':';
    return composeFile.split(separator).map((f) => resolve(cwd, f));
  }
  for (let dir = workingDir; ; dir = dirname(dir)) {
    const main = DEFAULT_FILE_NAMES.find((name) => isFile(join(dir, name)));
    if (main) {
      const override = DEFAULT_OVERRIDE_NAMES.find((name) => isFile(join(dir, name)));
      return override ? [join(dir, main), join(dir, override)] : [join(dir, main)];
    }
    if (dirname(dir) === dir) break;
  }
  throw new UserError(
    `no compose file found in ${workingDir} or any parent directory`,
    'run ipcompose in a project directory, or name the file with -f',
  );
}

/**
 * The dotenv files compose reads for `${VAR}` and its COMPOSE_* settings, as
 * absolute paths. ipcompose names them explicitly (`--env-file`), like the
 * compose files: on its own, compose looks for `.env` in the working
 * directory before the first file's directory when it found the files itself,
 * while with ipcompose's explicit -f list it would look only in the latter.
 */
export function resolveEnvFiles(globals: ComposeGlobals, cwd: string, files: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const explicit = explicitEnvFiles(globals, cwd, env);
  if (explicit) return explicit;
  if (envFileDisabled(env)) return [];
  const projectDir = globals.projectDirectory === undefined ? undefined : resolve(cwd, globals.projectDirectory);
  const firstFileDir = dirname(files[0]!);
  const dirs = globals.files.length > 0 ? [projectDir ?? firstFileDir] : [projectDir ?? cwd, projectDir ?? firstFileDir];
  const found = dirs.map((dir) => join(dir, '.env')).find(isFile);
  return found ? [found] : [];
}

/** --env-file flags, else COMPOSE_ENV_FILES (comma-separated), as compose takes them. */
function explicitEnvFiles(globals: ComposeGlobals, cwd: string, env: NodeJS.ProcessEnv): string[] | undefined {
  if (globals.envFiles.length > 0) return globals.envFiles.map((f) => resolve(cwd, f));
  if (env.COMPOSE_ENV_FILES) return env.COMPOSE_ENV_FILES.split(',').map((f) => resolve(cwd, f.trim()));
  return undefined;
}

const envFileDisabled = (env: NodeJS.ProcessEnv) => ['1', 'true', 'TRUE', 'True'].includes(env.COMPOSE_DISABLE_ENV_FILE ?? '');

/** The dotenv files that can set COMPOSE_FILE, read before any compose file is known. */
function dotEnvFiles(globals: ComposeGlobals, cwd: string, workingDir: string, env: NodeJS.ProcessEnv): string[] {
  return explicitEnvFiles(globals, cwd, env) ?? (envFileDisabled(env) ? [] : [join(workingDir, '.env')]);
}

/**
 * Reads a few plain KEY=VALUE entries from dotenv files, later files winning.
 * Only used to find COMPOSE_FILE before compose runs; interpolation of the
 * model itself is always left to compose.
 */
function readDotEnvKeys(files: string[], keys: string[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (const file of files) {
    if (!isFile(file)) continue;
    for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
      const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(raw);
      if (!match || !keys.includes(match[1]!)) continue;
      found[match[1]!] = unquote(match[2]!);
    }
  }
  return found;
}

function unquote(value: string): string {
  const trimmed = value.trim();
  const quoted = /^(['"])(.*?)\1/.exec(trimmed);
  if (quoted) return quoted[2]!;
  return trimmed.replace(/\s+#.*$/, '');
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
