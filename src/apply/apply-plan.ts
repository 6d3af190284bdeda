import { createNetwork, removeContainers, removeNetwork, type EngineRequest } from '../adapters/engine.js';
import { EnvironmentError } from '../errors.js';
import type { Output } from '../output.js';
import { OPT_HOST_IPV4, OPT_HOST_IPV6, type Step } from '../plan/egress-plan.js';

/** What one run created, so that it can be taken back. */
export interface Applied {
  createdNetworks: string[];
}

/**
 * Carries out the plan's host steps in order. If one fails, the networks this
 * run created are removed again before the error goes on.
 */
export async function applySteps(engine: EngineRequest, steps: readonly Step[], output: Output): Promise<Applied> {
  const applied: Applied = { createdNetworks: [] };
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
          await output.task(`creating network ${step.name} (egress ${step.options[OPT_HOST_IPV4] ?? step.options[OPT_HOST_IPV6]})`, () => createNetwork(engine, step));
          applied.createdNetworks.push(step.name);
          break;
      }
    }
  } catch (error) {
    await undo(engine, applied, output);
    throw error;
  }
  return applied;
}

/** Removes the networks this run created. Ones already in use stay: the engine refuses to remove them. */
export async function undo(engine: EngineRequest, applied: Applied, output: Output): Promise<void> {
  for (const name of [...applied.createdNetworks].reverse()) {
    if (await removeNetwork(engine, name)) output.step(`removed network ${name} again`);
  }
  applied.createdNetworks = [];
}
