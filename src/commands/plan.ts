import { createNetworkBody } from '../adapters/engine.js';
import { overridePath, renderOverride } from '../apply/override-file.js';
import { formatAddress } from '../project/declarations.js';
import { loadProject, type LoadedProject } from '../project/load.js';
import type { SnatMode, Step } from '../plan/egress-plan.js';
import { CHAIN } from '../plan/fallback-rules.js';
import type { CommandContext } from './context.js';
import { composeArgv } from './hand-over.js';

export interface PlanCommandOptions extends CommandContext {
  snat: SnatMode;
  /** The compose subcommand the plan ends with (`up` and its arguments). */
  args: string[];
  json: boolean;
}

/** `ipcompose plan`: every action `up` would take, in order. Changes nothing. */
export async function plan(options: PlanCommandOptions): Promise<number> {
  const project = await loadProject(options, { recreate: false, snat: options.snat, requireApplicable: true });
  printPlan(options, project, ['up', ...options.args], options.json);
  return 0;
}

/** The `plan --json` document. Schema version 1; see README "plan --json". */
export function planDocument(ctx: CommandContext, project: LoadedProject, subcommand: readonly string[]) {
  const p = project.plan;
  const actions: Record<string, unknown>[] = (p?.steps ?? []).map((s) =>
    s.kind === 'compose-create'
      ? { ...describeStep(s), argv: composeArgv(ctx, project, ['up', '--no-start']) }
      : s.kind === 'snat-rules'
        ? { ...describeStep(s), argv: ['iptables-restore', '--noflush', '--wait', '5'] }
        : s.kind === 'policy-routing'
          ? { ...describeStep(s), argv: ['ip', ...(s.family === 6 ? ['-6'] : []), '-batch', '-'] }
          : { ...describeStep(s), request: stepRequest(s) },
  );
  if (p?.override) {
    actions.push({
      kind: 'write-override',
      path: overridePath(ctx.env, project.model.name, project.files),
      content: renderOverride(p.override),
    });
  }
  actions.push({ kind: 'compose', argv: composeArgv(ctx, project, subcommand) });
  return {
    schemaVersion: 1,
    project: project.model.name,
    files: project.files,
    envFiles: project.envFiles,
    compose: { command: project.compose.command, version: project.compose.version.text },
    engine: { version: project.engine.version.text },
    /** Every network compose uses for this project, egress or not, with its engine name. */
    projectNetworks: Object.entries(project.model.networks ?? {}).map(([key, n]) => ({
      key,
      name: n?.name ?? `${project.model.name}_${key}`,
      external: n?.external === true,
    })),
    networks: (p?.networks ?? []).map((n) => ({
      key: n.key,
      name: n.name,
      declaredAt: n.declaredAt,
      external: n.external,
      ipv4: n.address.ipv4 ?? null,
      ipv6: n.address.ipv6 ?? null,
      options: n.options,
      labels: n.labels,
      state: n.state,
      mode: n.mode,
      reason: n.reason,
    })),
    services: (p?.services ?? []).map((s) => ({
      service: s.service,
      ipv4: s.address?.ipv4 ?? null,
      ipv6: s.address?.ipv6 ?? null,
      gatewayNetwork: s.gatewayNetwork ?? null,
      internalOnly: s.internalOnly ?? false,
    })),
    notes: p?.notes ?? [],
    advice: p?.advice ?? [],
    actions,
  };
}

export function printPlan(ctx: CommandContext, project: LoadedProject, subcommand: readonly string[], json: boolean): void {
  const doc = planDocument(ctx, project, subcommand);
  if (json) {
    ctx.output.print(JSON.stringify(doc, null, 2));
    return;
  }
  const c = ctx.output.color;
  const lines: string[] = [];
  lines.push(`${c.bold(`project ${doc.project}`)}  (compose ${doc.compose.version}, engine ${doc.engine.version})`);
  if (!project.plan) {
    lines.push('  no x-egress-ip: compose runs as it is');
  } else {
    lines.push('', c.bold('networks'));
    for (const n of project.plan.networks) {
      lines.push(`  ${n.name.padEnd(32)} ${formatAddress(n.address).padEnd(20)} ${`(${n.declaredAt})`.padEnd(10)} ${n.mode === 'fallback' && n.state === 'ok' ? 'exists; ipcompose\'s SNAT rule' : stateText(n.state)}`);
      lines.push(`  ${''.padEnd(32)} mode ${n.mode}: ${n.reason}`);
    }
    lines.push('', c.bold('services'));
    for (const s of project.plan.services) {
      const via = s.gatewayNetwork ? ` via ${s.gatewayNetwork}` : '';
      lines.push(`  ${s.service.padEnd(32)} ${s.internalOnly ? 'has no way out (internal networks only)' : `leaves from ${formatAddress(s.address)}${via}`}`);
    }
    for (const note of project.plan.notes) lines.push('', `note: ${note}`);
    for (const tip of project.plan.advice) lines.push('', `advice: ${tip}`);
  }
  lines.push('', c.bold('actions'));
  doc.actions.forEach((a, i) => {
    const argv = a.argv as string[] | undefined;
    const requests = a.request as { method: string; path: string }[] | undefined;
    const detail = argv
      ? argv.join(' ')
      : requests
        ? requests.map((r) => `${r.method} ${r.path}`).join(', ')
        : a.kind === 'write-override'
          ? String(a.path)
          : '';
    lines.push(`  ${i + 1}. ${a.kind}: ${detail}`);
    if (a.kind === 'write-override') {
      for (const l of String(a.content).trimEnd().split('\n')) lines.push(`       ${c.dim(l)}`);
    }
  });
  ctx.output.print(lines.join('\n'));
}

function stateText(state: string): string {
  switch (state) {
    case 'ok':
      return 'exists with its options';
    case 'create':
      return 'ipcompose creates it';
    case 'compose-creates':
      return 'compose creates it with the options';
    case 'compose-recreates':
      return 'compose replaces it (config hash changed)';
    case 'recreate':
      return 'ipcompose replaces it (--recreate)';
    default:
      return 'cannot be applied';
  }
}

function describeStep(step: Step): Record<string, unknown> {
  switch (step.kind) {
    case 'compose-create':
      return { kind: step.kind };
    case 'snat-rules':
      return { kind: step.kind, chain: CHAIN, networks: step.networks.map((n) => ({ name: n.name, ipv4: n.address.ipv4 ?? null, ipv6: n.address.ipv6 ?? null })) };
    case 'policy-routing':
      return { kind: step.kind, family: step.family, networks: step.networks.map((n) => ({ name: n.name, ...n.routing })) };
    case 'create-network':
      return { kind: step.kind, name: step.name, options: step.options, labels: step.labels, ipv6: step.ipv6 };
    case 'remove-network':
      return { kind: step.kind, name: step.name };
    case 'remove-containers':
      return { kind: step.kind, network: step.network, containers: step.containers.map((c) => c.name) };
  }
}

/** The engine API request(s) a step makes, as `METHOD path` (and body). */
function stepRequest(step: Step): { method: string; path: string; body?: unknown }[] {
  switch (step.kind) {
    case 'compose-create':
    case 'snat-rules':
    case 'policy-routing':
      return [];
    case 'create-network':
      return [{ method: 'POST', path: '/networks/create', body: createNetworkBody(step) }];
    case 'remove-network':
      return [{ method: 'DELETE', path: `/networks/${step.name}` }];
    case 'remove-containers':
      return step.containers.map((c) => ({ method: 'DELETE', path: `/containers/${c.id}?force=1` }));
  }
}
