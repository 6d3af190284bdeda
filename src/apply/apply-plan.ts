import { createNetwork, removeContainers, removeNetwork, type EngineRequest } from '../adapters/engine.js';
import type { Runner } from '../adapters/run.js';
import { EnvironmentError } from '../errors.js';
import type { Output } from '../output.js';
import { OPT_HOST_IPV4, OPT_HOST_IPV6, type Step } from '../plan/egress-plan.js';
import { chainRules, CHAIN, projectOf } from '../plan/fallback-rules.js';
import { liveBridges, natSnapshots, rulesFor, syncRules } from './fallback.js';
import { withHostLock } from './host-lock.js';
import { routedSubnets, syncRouting } from './policy-routing.js';

export interface ApplyContext {
  engine: EngineRequest;
  run: Runner;
  output: Output;
  project: string;
  /**
   * Lets compose create the project's networks and containers without
   * starting them. True when the project had no containers before, so that
   * all of it is this run's.
   */
  composeCreate: () => Promise<boolean>;
  /** Removes the project's containers and networks again (compose down, volumes kept). */
  composeRemove: () => Promise<void>;
}

/** What one run created, so that it can be taken back. */
export interface Applied {
  createdNetworks: string[];
  /** The project had no SNAT rules before this run: any it has now are this run's. */
  firstRules: boolean;
  /** Compose created the whole project in this run, before ipcompose's own steps. */
  createdProject?: boolean;
}

/**
 * Carries out the plan's host steps in order. If one fails, what this run
 * created is taken back before the error goes on.
 */
export async function applySteps(ctx: ApplyContext, steps: readonly Step[]): Promise<Applied> {
  const { engine, output } = ctx;
  const applied: Applied = { createdNetworks: [], firstRules: false };
  try {
    for (const step of steps) {
      switch (step.kind) {
        case 'remove-containers':
          await output.task(`removing ${step.containers.map((c) => c.name).join(', ')} from ${step.network} (compose creates them again)`, () =>
            removeContainers(engine, step.containers.map((c) => c.id)),
          );
          break;
        case 'remove-network':
          await output.task(`removing network ${step.name}`, async () => {
            if (!(await removeNetwork(engine, step.name))) throw new EnvironmentError(`the engine refused to remove network ${step.name}`, 'see `docker network inspect` for what still uses it');
          });
          break;
        case 'create-network':
          await output.task(`creating network ${step.name} (egress ${step.labels['io.ipcompose.egress.ipv4'] ?? step.options[OPT_HOST_IPV4] ?? step.options[OPT_HOST_IPV6]})`, () => createNetwork(engine, step));
          applied.createdNetworks.push(step.name);
          break;
        case 'compose-create':
          await output.task('letting compose create the networks before their SNAT rules and routing', async () => {
            applied.createdProject = await ctx.composeCreate();
          });
          break;
        case 'policy-routing':
          await output.task(`IPv${step.family} policy routing for ${step.networks.map((n) => `${n.name} via ${n.routing.gateway} dev ${n.routing.interface}`).join(', ')}`, () =>
            withHostLock(ctx.run, async () => {
              await syncRouting(ctx.run, engine, step.family, await routedSubnets(engine, step.family, step.networks));
            }),
          );
          break;
        case 'snat-rules':
          await output.task(`SNAT rules in ${CHAIN} for ${step.networks.map((n) => n.name).join(', ')}`, () =>
            withHostLock(ctx.run, async () => {
              const snapshots = await natSnapshots(ctx.run);
              // Set before writing: the check after the write can fail with the rules in place.
              applied.firstRules = ![snapshots[4], snapshots[6]].some((s) => chainRules(s.lines).some((l) => projectOf(l) === ctx.project));
              const rules = await rulesFor(engine, ctx.project, step.networks);
              await syncRules(ctx.run, [ctx.project], rules, { liveBridges: await liveBridges(engine), snapshots });
            }),
          );
          break;
      }
    }
  } catch (error) {
    // A project compose created for this run goes too; once compose up has
    // run, what it made stays for the user to inspect, as with compose itself.
    if (applied.createdProject) await ctx.composeRemove();
    await undo(ctx, applied);
    throw error;
  }
  return applied;
}

/** Takes back this run's networks (the engine keeps ones in use) and its first rules. */
export async function undo(ctx: ApplyContext, applied: Applied): Promise<void> {
  if (applied.firstRules) {
    await withHostLock(ctx.run, () => syncRules(ctx.run, [ctx.project], []));
    applied.firstRules = false;
  }
  for (const name of [...applied.createdNetworks].reverse()) {
    if (await removeNetwork(ctx.engine, name)) ctx.output.step(`removed network ${name} again`);
  }
  applied.createdNetworks = [];
}
