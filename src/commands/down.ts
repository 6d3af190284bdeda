import { loadProject } from '../project/load.js';
import type { CommandContext } from './context.js';
import { handOver } from './hand-over.js';

export interface DownOptions extends CommandContext {
  args: string[];
}

/** `ipcompose down`: compose down with the same files and override as `up`. */
export async function down(options: DownOptions): Promise<number> {
  const project = await loadProject(options, { recreate: false, requireApplicable: false });
  return handOver(options, project, ['down', ...options.args]);
}
