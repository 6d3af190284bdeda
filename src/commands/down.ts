import { liveBridges, syncRules } from '../apply/fallback.js';
import { withHostLock } from '../apply/host-lock.js';
import { syncRouting } from '../apply/policy-routing.js';
import { loadProject } from '../project/load.js';
import type { CommandContext } from './context.js';
import { handOver } from './hand-over.js';

export interface DownOptions extends CommandContext {
  args: string[];
}

/**
 * `ipcompose down`: compose down with the same files and override as `up`,
 * then the project's SNAT rules in ipcompose's chain and its policy routing
 * go. Other projects' rules, and Docker's, stay.
 */
export async function down(options: DownOptions): Promise<number> {
  const project = await loadProject(options, { recreate: false, requireApplicable: false });
  const status = await handOver(options, project, ['down', ...options.args]);
  if (status === 0) {
    await withHostLock(options.run, async () => {
      const written = await syncRules(options.run, [project.model.name], [], { liveBridges: await liveBridges(options.engine) });
      if (written.length > 0) options.output.step(`removed the SNAT rules of project ${project.model.name}`);
      const networks = project.plan?.networks ?? [];
      const families = [...(networks.some((n) => n.routing) ? [4 as const] : []), ...(networks.some((n) => n.routing6) ? [6 as const] : [])];
      for (const family of families) {
        if (await syncRouting(options.run, options.engine, family, [])) options.output.step(`removed the IPv${family} policy routing of project ${project.model.name}`);
      }
    });
  }
  return status;
}
