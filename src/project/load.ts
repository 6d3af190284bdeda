import { join } from 'node:path';
import { findComposeBinary, globalArgs, composeVersion, type ComposeCli } from '../adapters/compose.js';
import { engineInfo, inspectNetwork, type EngineInfo, type NetworkInfo } from '../adapters/engine.js';
import { ipDefaultRoutes6 } from '../adapters/ip.js';
import type { CommandContext } from '../commands/context.js';
import { UserError } from '../errors.js';
import { hostAddresses } from '../host/addresses.js';
import { defaultRoutes } from '../host/routes.js';
import { dedicatedNetworkKey, planEgress, type Plan, type PlanOptions } from '../plan/egress-plan.js';
import { stateDir } from '../state-dir.js';
import { resolveComposeFiles, resolveEnvFiles } from './compose-files.js';
import { cachedComposeConfig } from './config-cache.js';
import { DeclarationError, readDeclarations } from './declarations.js';
import { locateKey } from './locate.js';
import type { ComposeModel } from './model.js';

export interface LoadedProject {
  files: string[];
  envFiles: string[];
  compose: ComposeCli;
  engine: EngineInfo;
  model: ComposeModel;
  /** Undefined when the project declares no x-egress-ip: ipcompose then only passes through. */
  plan?: Plan;
}

/**
 * Reads the project through compose and plans its egress. At most one
 * external process, compose config, and none when its last answer still holds
 * (compose's version likewise comes from its cache, or from one more process
 * beside it); meanwhile the engine's version arrives over its API, and then
 * its view of the project's networks. The process count does not depend on
 * the project's size.
 */
export async function loadProject(
  ctx: CommandContext,
  options: PlanOptions & {
    /** Refuse when a network cannot be given its options now (up, plan); down and pass-through go on. */
    requireApplicable: boolean;
  },
): Promise<LoadedProject> {
  const files = resolveComposeFiles(ctx.globals, ctx.cwd, ctx.env);
  const envFiles = resolveEnvFiles(ctx.globals, ctx.cwd, files, ctx.env);
  const command = findComposeBinary(ctx.env);
  const state = stateDir(ctx.env);
  const [version, config, engine] = await Promise.allSettled([
    composeVersion(ctx.run, command, join(state, 'compose-version.json')),
    cachedComposeConfig(ctx.run, { command, args: globalArgs(ctx.globals, files, envFiles), cwd: ctx.cwd, files, envFiles, env: ctx.env }, state),
    engineInfo(ctx.engine),
  ]);
  // A missing or v1 compose explains a config failure; a bad file matters more than a missing engine.
  const compose = settled(version);
  const { model: resolved, reused } = settled(config);
  if (reused) ctx.output.detail('compose config: files and variables unchanged since the last run, its model reused');
  const engineFacts = settled(engine);

  const loaded: LoadedProject = { files, envFiles, compose: { command, version: compose }, engine: engineFacts, model: resolved };
  try {
    const declarations = readDeclarations(resolved);
    if (declarations.length === 0) return loaded;
    const names = new Set<string>();
    for (const [key, n] of Object.entries(resolved.networks ?? {})) names.add(n?.name ?? `${resolved.name}_${key}`);
    for (const d of declarations) {
      if (d.placement.kind === 'service') names.add(`${resolved.name}_${dedicatedNetworkKey(d.address)}`);
    }
    // IPv6 default routes cost a process (see ipDefaultRoutes6): asked only for IPv6 addresses.
    const [found, defaultRoutes6] = await Promise.all([
      Promise.all([...names].map((name) => inspectNetwork(ctx.engine, name))),
      declarations.some((d) => d.address.ipv6) ? ipDefaultRoutes6(ctx.run) : [],
    ]);
    const networks = new Map(found.filter((n): n is NetworkInfo => n !== undefined).map((n) => [n.name, n]));
    loaded.plan = planEgress(
      resolved,
      { engine: engineFacts.version, compose: compose, networks, hostAddresses: hostAddresses(), defaultRoutes: defaultRoutes(), defaultRoutes6 },
      options,
    );
    const blocked = loaded.plan.networks.find((n) => n.problem);
    if (options.requireApplicable && blocked?.problem) throw blocked.problem;
    return loaded;
  } catch (error) {
    if (error instanceof DeclarationError) {
      throw new UserError(`${await locateKey(files, error.keyPath, ctx.cwd)}: ${error.message}`, error.hint);
    }
    throw error;
  }
}

function settled<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}
