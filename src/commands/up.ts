import { applySteps, undo } from '../apply/apply-plan.js';
import { formatAddress } from '../project/declarations.js';
import { loadProject } from '../project/load.js';
import type { CommandContext } from './context.js';
import { handOver } from './hand-over.js';
import { printPlan } from './plan.js';

export interface UpOptions extends CommandContext {
  /** Arguments for `compose up`, passed on as given. */
  args: string[];
  dryRun: boolean;
  recreate: boolean;
  json: boolean;
}

/** `ipcompose up`: check, prepare networks, then hand over to `compose up`. */
export async function up(options: UpOptions): Promise<number> {
  const project = await loadProject(options, { recreate: options.recreate, requireApplicable: true });
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
  const applied = await applySteps(options.engine, plan.steps, options.output);
  for (const n of plan.networks) options.output.step(`${n.name}: egress ${formatAddress(n.address)}`);
  let status: number;
  try {
    status = await handOver(options, project, ['up', ...options.args]);
  } catch (error) {
    await undo(options.engine, applied, options.output);
    throw error;
  }
  if (status !== 0) await undo(options.engine, applied, options.output);
  return status;
}
