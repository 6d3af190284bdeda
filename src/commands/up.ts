import { projectContainers } from '../adapters/engine.js';
import { firstErrorLine } from '../adapters/run.js';
import { applySteps, undo, type ApplyContext } from '../apply/apply-plan.js';
import { EnvironmentError } from '../errors.js';
import type { SnatMode } from '../plan/egress-plan.js';
import { formatAddress } from '../project/declarations.js';
import { loadProject } from '../project/load.js';
import type { CommandContext } from './context.js';
import { composeArgv, handOver, writeProjectOverride } from './hand-over.js';
import { printPlan } from './plan.js';

export interface UpOptions extends CommandContext {
  /** Arguments for `compose up`, passed on as given. */
  args: string[];
  dryRun: boolean;
  recreate: boolean;
  snat: SnatMode;
  json: boolean;
}

/** `ipcompose up`: check, prepare networks, then hand over to `compose up`. */
export async function up(options: UpOptions): Promise<number> {
  const project = await loadProject(options, { recreate: options.recreate, snat: options.snat, requireApplicable: true });
  if (options.dryRun) {
    printPlan(options, project, ['up', ...options.args], options.json);
    return 0;
  }
  const plan = project.plan;
  if (!plan) {
    options.output.step(`project ${project.model.name} declares no x-egress-ip; running compose as it is`);
    return handOver(options, project, ['up', ...options.args]);
  }
  for (const note of plan.notes) options.output.step(note);
  const ctx: ApplyContext = {
    engine: options.engine,
    run: options.run,
    output: options.output,
    project: project.model.name,
    composeCreate: async () => {
      const fresh = (await projectContainers(options.engine, project.model.name)).length === 0;
      writeProjectOverride(options, project);
      const result = await options.run(composeArgv(options, project, ['up', '--no-start']));
      if (result.exitCode !== 0) throw new EnvironmentError(`compose could not create the project: ${result.stderr.trim().split('\n').pop() ?? ''}`);
      return fresh;
    },
    composeRemove: async () => {
      const result = await options.run(composeArgv(options, project, ['down']));
      if (result.exitCode === 0) options.output.step(`removed what compose created for ${project.model.name} again`);
      else options.output.warn(`compose could not remove what it created for ${project.model.name}: ${firstErrorLine(result.stderr)}`, 'run ipcompose down');
    },
  };
  const applied = await applySteps(ctx, plan.steps);
  for (const n of plan.networks) options.output.step(`${n.name}: egress ${formatAddress(n.address)} (${n.mode})`);
  let status: number;
  try {
    status = await handOver(options, project, ['up', ...options.args]);
  } catch (error) {
    await undo(ctx, applied);
    throw error;
  }
  if (status !== 0) await undo(ctx, applied);
  return status;
}
