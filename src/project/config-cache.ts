import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeConfig, composeIdentity } from '../adapters/compose.js';
import type { Runner } from '../adapters/run.js';
import { ensurePrivateDir, readStateFile, writeStateFile } from '../state-dir.js';
import type { ComposeModel } from './model.js';

/**
 * `compose config` is one of the two processes of `ipcompose up` and a third
 * of its time, yet on a re-run nothing it reads has usually changed. So its
 * model of a project is kept, one file per project location, and reused while
 * everything it depends on stays the same.
 */

/** Raise when the stored model changes shape. */
const FORMAT = 1;

export interface ConfigInputs {
  /** The compose binary. */
  command: string;
  /** Compose's global flags, files and dotenv files explicit. */
  args: readonly string[];
  cwd: string;
  files: readonly string[];
  envFiles: readonly string[];
  env: NodeJS.ProcessEnv;
}

/**
 * A digest of what compose builds its model from: the binary, the flags, the
 * working directory, the text of the compose and dotenv files, and the
 * environment variables those texts name or that compose reads itself
 * (COMPOSE_*, DOCKER_*). Undefined when ipcompose cannot see all of it:
 * `include` and `extends` pull in files it does not read, so such projects,
 * and missing files, always go to compose.
 */
export function configDigest(inputs: ConfigInputs): string | undefined {
  const texts: [string, string | null][] = [];
  for (const file of inputs.files) {
    const text = readText(file);
    if (text === undefined || /\b(include|extends)\b/.test(text)) return undefined;
    texts.push([file, text]);
  }
  for (const file of inputs.envFiles) texts.push([file, readText(file) ?? null]);
  const names = new Set(Object.keys(inputs.env).filter((name) => /^(COMPOSE|DOCKER)_/.test(name)));
  // `$NAME`, `${NAME}`, `${NAME:-…}`: a superset of what interpolation looks up.
  for (const [, text] of texts) for (const m of (text ?? '').matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]!);
  const variables = [...names].sort().map((name) => [name, inputs.env[name] ?? null]);
  return sha256(JSON.stringify([FORMAT, composeIdentity(inputs.command), inputs.args, inputs.cwd, texts, variables]));
}

/** compose's model of the project, from the last run when nothing it depends on changed since. */
export async function cachedComposeConfig(run: Runner, inputs: ConfigInputs, dir: string): Promise<{ model: ComposeModel; reused: boolean }> {
  const digest = configDigest(inputs);
  const file = join(dir, `config-${sha256(JSON.stringify([inputs.cwd, inputs.args])).slice(0, 16)}.json`);
  if (digest !== undefined) {
    // The model decides what ipcompose does to the host: only trust a directory that is ours.
    ensurePrivateDir(dir);
    const cached = readStateFile<{ digest: string; model: ComposeModel }>(file);
    if (cached?.digest === digest && cached.model) return { model: cached.model, reused: true };
  }
  const model = await composeConfig(run, inputs.command, inputs.args);
  // Kept only if nothing changed while compose read it.
  if (digest !== undefined && configDigest(inputs) === digest) writeStateFile(file, JSON.stringify({ digest, model }));
  return { model, reused: false };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
