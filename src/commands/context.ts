import type { EngineRequest } from '../adapters/engine.js';
import type { Runner } from '../adapters/run.js';
import type { Output } from '../output.js';
import type { ComposeGlobals } from '../project/compose-files.js';

/** What every command receives: where it runs, with which environment and flags. */
export interface CommandContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  globals: ComposeGlobals;
  output: Output;
  /** External programs (compose). */
  run: Runner;
  /** The Docker engine API. */
  engine: EngineRequest;
}
