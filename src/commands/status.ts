import { inspectNetwork, listNetworks, type NetworkInfo } from '../adapters/engine.js';
import { natSnapshot, snatState } from '../adapters/iptables.js';
import { UserError } from '../errors.js';
import { isFamily } from '../host/addresses.js';
import { bridgeName } from '../apply/fallback.js';
import { LABEL_IPV4, LABEL_IPV6, LABEL_MODE, LABEL_PROJECT, OPT_HOST_BINDING_IPV4, OPT_HOST_IPV4, OPT_HOST_IPV6 } from '../plan/egress-plan.js';
import { CHAIN, fallbackState } from '../plan/fallback-rules.js';
import { loadProject } from '../project/load.js';
import type { CommandContext } from './context.js';

export interface StatusOptions extends CommandContext {
  /** Every egress network on the host, not just this project's. */
  all: boolean;
  json: boolean;
}

/** One row of `ipcompose status`. */
export interface StatusRow {
  network: string;
  project?: string;
  ipv4?: string;
  ipv6?: string;
  /** native: Docker's own SNAT from host_ipv4/host_ipv6; fallback: ipcompose's chain; none: neither; missing: no such network. */
  mode: 'native' | 'fallback' | 'none' | 'missing';
  /** Per family: the SNAT rule exists, and no MASQUERADE for its subnet comes first. */
  rule: { ipv4?: RuleState; ipv6?: RuleState };
  bind?: string;
  containers: string[];
}

export type RuleState = 'first' | 'after-masquerade' | 'missing';

/** `ipcompose status`: one row per egress network, from the engine and the nat table as they are now. */
export async function status(options: StatusOptions): Promise<number> {
  let networks: (NetworkInfo | { name: string; missing: true; ipv4?: string; ipv6?: string; project?: string })[];
  let declared = new Map<string, Declared>();
  if (options.all) {
    const labelled = await listNetworks(options.engine, { label: [LABEL_PROJECT] });
    networks = (await Promise.all([...labelled.keys()].map((n) => inspectNetwork(options.engine, n)))).filter((n): n is NetworkInfo => n !== undefined);
  } else {
    const project = await loadProject(options, { recreate: false, requireApplicable: false });
    if (!project.plan) throw new UserError(`project ${project.model.name} declares no x-egress-ip`, 'add one (ipcompose init), or use --all for every egress network on this host');
    declared = new Map(project.plan.networks.map((n) => [n.name, { address: n.address, mode: n.mode, project: project.model.name }]));
    networks = await Promise.all(
      project.plan.networks.map(async (n) => (await inspectNetwork(options.engine, n.name)) ?? { name: n.name, missing: true as const, ...n.address, project: project.model.name }),
    );
  }
  const needs6 = networks.some((n) => ('missing' in n ? n.ipv6 : n.labels[LABEL_IPV6] ?? n.options[OPT_HOST_IPV6]));
  const [nat4, nat6] = await Promise.all([
    natSnapshot(options.run, 4, CHAIN).then((s) => s.lines),
    needs6 || declared.size > 0 ? natSnapshot(options.run, 6, CHAIN).then((s) => s.lines) : Promise.resolve([]),
  ]);
  const rows = networks.map((n) =>
    'missing' in n
      ? { network: n.name, ...(n.project ? { project: n.project } : {}), ...(n.ipv4 ? { ipv4: n.ipv4 } : {}), ...(n.ipv6 ? { ipv6: n.ipv6 } : {}), mode: 'missing' as const, rule: {}, containers: [] }
      : statusRow(n, nat4, nat6, declared.get(n.name)),
  );
  if (options.json) options.output.print(JSON.stringify({ networks: rows }, null, 2));
  else printRows(options, rows);
  return 0;
}

interface Declared {
  address: { ipv4?: string; ipv6?: string };
  mode: 'native' | 'fallback';
  project: string;
}

/**
 * One network's row. The addresses come from the project's declarations when
 * known (a network adopted as it ran has no labels of ours), else from labels.
 */
export function statusRow(n: NetworkInfo, nat4: readonly string[], nat6: readonly string[], declared?: Declared): StatusRow {
  const ipv4 = declared ? declared.address.ipv4 : (n.labels[LABEL_IPV4] ?? n.options[OPT_HOST_IPV4]);
  const ipv6 = declared ? declared.address.ipv6 : (n.labels[LABEL_IPV6] ?? n.options[OPT_HOST_IPV6]);
  const bridge = bridgeName(n);
  const hasOptions = (ipv4 === undefined || n.options[OPT_HOST_IPV4] === ipv4) && (ipv6 === undefined || n.options[OPT_HOST_IPV6] === ipv6);
  const fallback = declared ? declared.mode === 'fallback' : n.labels[LABEL_MODE] === 'fallback' || !hasOptions;
  const rule = (family: 4 | 6, address: string | undefined): RuleState | undefined => {
    if (address === undefined) return undefined;
    const subnet = n.subnets.find((s) => isFamily(s, family));
    if (!subnet) return 'missing';
    const lines = family === 4 ? nat4 : nat6;
    const state = fallback ? fallbackState(lines, subnet, bridge, address) : snatState(lines, subnet, bridge, address);
    return !state.present ? 'missing' : state.first ? 'first' : 'after-masquerade';
  };
  const r4 = rule(4, ipv4);
  const r6 = rule(6, ipv6);
  return {
    network: n.name,
    ...(declared ? { project: declared.project } : n.labels[LABEL_PROJECT] ? { project: n.labels[LABEL_PROJECT] } : {}),
    ...(ipv4 ? { ipv4 } : {}),
    ...(ipv6 ? { ipv6 } : {}),
    mode: fallback ? 'fallback' : hasOptions ? 'native' : 'none',
    rule: { ...(r4 ? { ipv4: r4 } : {}), ...(r6 ? { ipv6: r6 } : {}) },
    ...(n.options[OPT_HOST_BINDING_IPV4] ? { bind: n.options[OPT_HOST_BINDING_IPV4] } : fallback && (ipv4 ?? ipv6) ? { bind: `${ipv4 ?? ipv6} (per port)` } : {}),
    containers: n.containers.map((c) => c.name).sort(),
  };
}

function printRows(ctx: CommandContext, rows: StatusRow[]): void {
  const c = ctx.output.color;
  const ruleText = (r: StatusRow['rule']) =>
    Object.entries(r)
      .map(([family, state]) => `${family === 'ipv4' ? 'v4' : 'v6'} ${state === 'first' ? 'present, first' : state === 'after-masquerade' ? 'AFTER MASQUERADE' : 'MISSING'}`)
      .join(', ') || '-';
  const header = ['NETWORK', 'PROJECT', 'ADDRESSES', 'MODE', 'SNAT RULE', 'BIND', 'CONTAINERS'];
  const body = rows.map((r) => [
    r.network,
    r.project ?? '-',
    [r.ipv4, r.ipv6].filter(Boolean).join(' ') || '-',
    r.mode,
    ruleText(r.rule),
    r.bind ?? '-',
    r.containers.join(',') || '-',
  ]);
  const healthy = (r: StatusRow) => (r.mode === 'native' || r.mode === 'fallback') && Object.values(r.rule).every((s) => s === 'first');
  ctx.output.table(header, body, (i, text) => (healthy(rows[i]!) ? c.green(text) : c.red(text)));
}
