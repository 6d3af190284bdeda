import { globalArgs } from '../adapters/compose.js';
import { overridePath, renderOverride } from '../apply/override-file.js';
import { delegate } from '../delegate.js';
import type { LoadedProject } from '../project/load.js';
import { writeStateFile } from '../state-dir.js';
import type { CommandContext } from './context.js';

/** The compose argv for a subcommand: the project's files, ipcompose's override last. */
export function composeArgv(ctx: CommandContext, project: LoadedProject, subcommand: readonly string[]): string[] {
  const files = project.plan?.override
    ? [...project.files, overridePath(ctx.env, project.model.name, project.files)]
    : project.files;
  return [project.compose.command, ...globalArgs(ctx.globals, files, project.envFiles), ...subcommand];
}

export function writeProjectOverride(ctx: CommandContext, project: LoadedProject): void {
  if (project.plan?.override) {
    writeStateFile(overridePath(ctx.env, project.model.name, project.files), renderOverride(project.plan.override));
  }
}

/** Writes the override (when there is one) and runs compose in ipcompose's place. */
export async function handOver(ctx: CommandContext, project: LoadedProject, subcommand: readonly string[]): Promise<number> {
  writeProjectOverride(ctx, project);
  const argv = composeArgv(ctx, project, subcommand);
  ctx.output.command(argv);
  return delegate(argv, { cwd: ctx.cwd, env: ctx.env });
}
