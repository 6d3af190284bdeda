import { loadProject } from '../project/load.js';
import type { CommandContext } from './context.js';
import { handOver } from './hand-over.js';

export interface PassthroughOptions extends CommandContext {
  /** The compose subcommand and its arguments (`ps`, `logs -f web`, …). */
  args: string[];
}

/** Any other subcommand: compose with the same files and override as `up`. */
export async function passthrough(options: PassthroughOptions): Promise<number> {
  const project = await loadProject(options, { recreate: false, requireApplicable: false });
  return handOver(options, project, options.args);
}
