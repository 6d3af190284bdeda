import { containerPid, projectContainers, type ContainerInfo } from '../adapters/engine.js';
import { UserError } from '../errors.js';
import type { ProbeResult } from '../probe.js';
import { formatAddress, type EgressAddress } from '../project/declarations.js';
import { loadProject } from '../project/load.js';
import type { CommandContext } from './context.js';

export interface VerifyOptions extends CommandContext {
  /** Probe targets: http://… endpoints answering with the caller's address, or stun:host[:port]. */
  targets: string[];
  json: boolean;
  /** How to start ipcompose itself (node and the CLI script), for the probe inside each namespace. */
  self: string[];
}

export interface VerifyRow {
  service: string;
  container?: string;
  target: string;
  expected?: string;
  seen?: string;
  gatewayNetwork?: string;
  gatewayOk?: boolean;
  ok: boolean;
  problem?: string;
}

/**
 * `ipcompose verify`: for every service with an egress address, enter one of
 * its containers' network namespace from the host, ask each probe target
 * which source address it sees, and check the default gateway. Exit status 0
 * only when everything matches.
 */
export async function verify(options: VerifyOptions): Promise<number> {
  if (options.targets.length === 0) {
    throw new UserError('verify needs a probe target', 'pass --target http://<host>/ (an endpoint that answers with the caller\'s address) or --target stun:<host>[:port], or set IPCOMPOSE_VERIFY_TARGET');
  }
  for (const t of options.targets) {
    if (!/^(https?:\/\/|stun:)/.test(t)) throw new UserError(`probe target ${t} is neither http(s):// nor stun:`, 'for example --target http://203.0.113.99/ or --target stun:203.0.113.99:3478');
  }
  const project = await loadProject(options, { recreate: false, requireApplicable: false });
  if (!project.plan) throw new UserError(`project ${project.model.name} declares no x-egress-ip: there is nothing to verify`);
  const containers = await projectContainers(options.engine, project.model.name);

  const plan = project.plan;
  const subjects = plan.services.filter((s) => s.address).length;
  const rows = await options.output.task(`probing ${subjects} service(s) from inside their network namespaces`, () =>
    Promise.all(
      plan.services
      .filter((s) => s.address)
      .flatMap((s) => {
        const container = containers.find((c) => c.service === s.service && c.running);
        return options.targets.map((target) => check(options, s.service, s.address!, s.gatewayNetwork, container, target));
      }),
    ),
  );
  const ok = rows.length > 0 && rows.every((r) => r.ok);
  if (options.json) {
    options.output.print(JSON.stringify({ project: project.model.name, ok, checks: rows }, null, 2));
  } else {
    printTable(options, rows);
  }
  return ok ? 0 : 1;
}

async function check(
  ctx: VerifyOptions,
  service: string,
  address: EgressAddress,
  gatewayNetwork: string | undefined,
  container: ContainerInfo | undefined,
  target: string,
): Promise<VerifyRow> {
  const base = { service, target, ...(gatewayNetwork ? { gatewayNetwork } : {}) };
  if (!container) return { ...base, ok: false, problem: 'no running container' };
  const pid = await containerPid(ctx.engine, container.id);
  if (!pid) return { ...base, container: container.name, ok: false, problem: 'container is not running' };
  const result = await ctx.run(['nsenter', `--net=/proc/${pid}/ns/net`, '--', ...ctx.self, 'probe', target]);
  let probe: ProbeResult;
  try {
    probe = JSON.parse(result.stdout) as ProbeResult;
  } catch {
    return { ...base, container: container.name, ok: false, problem: `probe failed: ${result.stderr.trim().split('\n')[0] ?? ''}` };
  }
  const expected = probe.seen?.includes(':') ? address.ipv6 : address.ipv4 ?? address.ipv6;
  const gatewayOk = gatewayNetwork ? container.networks[gatewayNetwork]?.gateway === probe.gateway : undefined;
  const matches = probe.seen !== undefined && probe.seen === expected;
  const problems = [
    probe.error,
    probe.seen !== undefined && !matches ? `left from ${probe.seen}, not ${expected ?? formatAddress(address)}` : undefined,
    gatewayOk === false ? `default gateway ${probe.gateway ?? 'none'} is not network ${gatewayNetwork}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return {
    ...base,
    container: container.name,
    ...(expected ? { expected } : {}),
    ...(probe.seen ? { seen: probe.seen } : {}),
    ...(gatewayOk !== undefined ? { gatewayOk } : {}),
    ok: problems.length === 0,
    ...(problems.length > 0 ? { problem: problems.join('; ') } : {}),
  };
}

function printTable(ctx: CommandContext, rows: VerifyRow[]): void {
  const c = ctx.output.color;
  const header = ['SERVICE', 'CONTAINER', 'TARGET', 'EXPECTED', 'SEEN', 'GATEWAY', 'RESULT'];
  const body = rows.map((r) => [
    r.service,
    r.container ?? '-',
    r.target,
    r.expected ?? '-',
    r.seen ?? '-',
    r.gatewayOk === undefined ? '-' : r.gatewayOk ? 'ok' : 'WRONG',
    r.ok ? 'ok' : `FAIL: ${r.problem ?? ''}`,
  ]);
  ctx.output.table(header, body, (i, text) => (rows[i]!.ok ? text : c.red(text)));
}
