import { readFileSync } from 'node:fs';
import { composeVersion, findComposeBinary } from '../adapters/compose.js';
import { engineInfo, listNetworks, projectContainers, type EngineInfo } from '../adapters/engine.js';
import { iptablesVariant, natSnapshot } from '../adapters/iptables.js';
import { liveBridges } from '../apply/fallback.js';
import { chainRules, CHAIN, projectOf, ruleBridge } from '../plan/fallback-rules.js';
import { IpcomposeError } from '../errors.js';
import { composeRecreatesChangedNetworks, LABEL_PROJECT, supportsGwPriority } from '../plan/egress-plan.js';
import { resolveComposeFiles } from '../project/compose-files.js';
import { loadProject } from '../project/load.js';
import { stateDir } from '../state-dir.js';
import { atLeast, type Version } from '../versions.js';
import { join } from 'node:path';
import type { CommandContext } from './context.js';

export interface DoctorOptions extends CommandContext {
  json: boolean;
}

export interface Finding {
  check: string;
  /** ok; warn: works, with less; fail: blocks `ipcompose up`. */
  level: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** `ipcompose doctor`: what this host can do, what stands in the way, and how to fix it. */
export async function doctor(options: DoctorOptions): Promise<number> {
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);

  const [engine, compose, firewall] = await Promise.all([
    attempt(() => engineInfo(options.engine)),
    attempt(async () => composeVersion(options.run, findComposeBinary(options.env), join(stateDir(options.env), 'compose-version.json'))),
    attempt(() => iptablesVariant(options.run)),
  ]);

  if (engine instanceof IpcomposeError) add({ check: 'engine', level: 'fail', detail: engine.message, ...(engine.hint ? { fix: engine.hint } : {}) });
  else add(engineFinding(engine));
  if (compose instanceof IpcomposeError) add({ check: 'compose', level: 'fail', detail: compose.message, ...(compose.hint ? { fix: compose.hint } : {}) });
  else add(composeFinding(compose, engine instanceof IpcomposeError ? undefined : engine));

  let nat: string[] | undefined;
  if (firewall instanceof IpcomposeError) {
    add({ check: 'firewall', level: 'warn', detail: firewall.message, ...(firewall.hint ? { fix: firewall.hint } : {}) });
  } else {
    add({ check: 'firewall backend', level: firewall.variant === 'unknown' ? 'warn' : 'ok', detail: firewall.version });
    const snapshot = await attempt(() => natSnapshot(options.run, 4, CHAIN));
    if (snapshot instanceof IpcomposeError) {
      add({ check: 'firewall access', level: 'warn', detail: snapshot.message, fix: snapshot.hint ?? 'run ipcompose as root' });
    } else {
      nat = snapshot.lines;
      add({ check: 'firewall access', level: 'ok', detail: `nat table readable (${nat.length} rules)` });
    }
  }
  add(forwardingFinding());

  if (!(engine instanceof IpcomposeError)) {
    add(await leftoversFinding(options, nat ?? []));
  }
  add(await projectFinding(options));

  if (options.json) {
    options.output.print(JSON.stringify({ ok: findings.every((f) => f.level !== 'fail'), findings }, null, 2));
  } else {
    const c = options.output.color;
    const mark = { ok: c.green('ok  '), warn: c.yellow('warn'), fail: c.red('FAIL') };
    options.output.print(
      findings.map((f) => `${mark[f.level]}  ${f.check}: ${f.detail}${f.fix ? `\n        fix: ${f.fix}` : ''}`).join('\n'),
    );
  }
  return findings.some((f) => f.level === 'fail') ? 1 : 0;
}

async function attempt<T>(fn: () => Promise<T>): Promise<T | IpcomposeError> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof IpcomposeError) return error;
    throw error;
  }
}

export function engineFinding(engine: EngineInfo): Finding {
  const v = engine.version;
  if (!atLeast(v, 20, 10)) {
    return { check: 'engine', level: 'fail', detail: `Docker Engine ${v.text} has no host_ipv4 option (it came with 20.10)`, fix: 'upgrade the engine to 28 or newer' };
  }
  const can = [`host_ipv4`, ...(atLeast(v, 25) ? ['host_ipv6'] : []), ...(atLeast(v, 28) ? ['gw_priority'] : [])];
  const missing = [...(atLeast(v, 25) ? [] : ['host_ipv6 (IPv6 egress)']), ...(atLeast(v, 28) ? [] : ['gw_priority (per-service addresses)'])];
  return {
    check: 'engine',
    level: missing.length > 0 ? 'warn' : 'ok',
    detail: `Docker Engine ${v.text} (API ${engine.apiVersion}): ${can.join(', ')}${missing.length > 0 ? `; lacks ${missing.join(', ')}` : ''}`,
    ...(missing.length > 0 ? { fix: 'upgrade the engine to 28 or newer' } : {}),
  };
}

export function composeFinding(compose: Version, engine: EngineInfo | undefined): Finding {
  const notes = [
    composeRecreatesChangedNetworks(compose) ? 'replaces networks whose options changed' : 'reuses networks whose options changed (use ipcompose up --recreate)',
    engine && supportsGwPriority({ engine: engine.version, compose }) ? 'gw_priority' : !atLeast(compose, 2, 33, 1) ? 'no gw_priority (needs 2.33.1)' : undefined,
  ].filter(Boolean);
  const weak = !atLeast(compose, 2, 33, 1) || !composeRecreatesChangedNetworks(compose);
  return {
    check: 'compose',
    level: weak ? 'warn' : 'ok',
    detail: `Compose ${compose.text}: ${notes.join(', ')}`,
    ...(weak ? { fix: 'upgrade Compose to 2.33.1 or newer' } : {}),
  };
}

function forwardingFinding(): Finding {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const v4 = read('/proc/sys/net/ipv4/ip_forward');
  if (v4 !== '1') {
    return { check: 'forwarding', level: 'fail', detail: `net.ipv4.ip_forward is ${v4 ?? 'unreadable'}: containers cannot reach the outside`, fix: 'sysctl -w net.ipv4.ip_forward=1 (dockerd normally sets it)' };
  }
  const v6 = read('/proc/sys/net/ipv6/conf/all/forwarding');
  return v6 === '1'
    ? { check: 'forwarding', level: 'ok', detail: 'IPv4 and IPv6 forwarding on' }
    : { check: 'forwarding', level: 'ok', detail: 'IPv4 forwarding on; IPv6 forwarding off (IPv6 egress needs sysctl -w net.ipv6.conf.all.forwarding=1)' };
}

/** Networks ipcompose labelled for a project that has no container left: nobody claims them. */
async function leftoversFinding(options: DoctorOptions, nat: readonly string[]): Promise<Finding> {
  const networks = await listNetworks(options.engine, { label: [LABEL_PROJECT] });
  const projects = [...new Set([...networks.values()].map((n) => n.labels[LABEL_PROJECT]!))];
  const claimed = new Set<string>();
  await Promise.all(
    projects.map(async (p) => {
      if ((await projectContainers(options.engine, p)).some((c) => c.running)) claimed.add(p);
    }),
  );
  const leftovers = [...networks.values()].filter((n) => !claimed.has(n.labels[LABEL_PROJECT]!));
  // Rules of ipcompose's chain whose network is gone, or whose project runs nothing.
  const bridges = await liveBridges(options.engine);
  const staleRules = chainRules(nat).filter((l) => {
    const bridge = ruleBridge(l);
    const project = projectOf(l);
    return !bridge || !bridges.has(bridge) || (project !== undefined && networks.size > 0 && !claimed.has(project) && projects.includes(project));
  });
  if (leftovers.length === 0 && staleRules.length === 0) {
    return { check: 'leftovers', level: 'ok', detail: `no unclaimed ipcompose networks or rules (${networks.size} networks in use)` };
  }
  const parts = [
    ...(leftovers.length > 0 ? [`egress networks whose project runs nothing: ${leftovers.map((n) => `${n.name} (${n.labels[LABEL_PROJECT]})`).join(', ')}`] : []),
    ...(staleRules.length > 0 ? [`${staleRules.length} rule(s) in ${CHAIN} that no running network claims`] : []),
  ];
  const fixes = [...(leftovers.length > 0 ? [`docker network rm ${leftovers.map((n) => n.name).join(' ')}`] : []), ...(staleRules.length > 0 ? ['ipcompose reconcile'] : [])];
  return { check: 'leftovers', level: 'warn', detail: parts.join('; '), fix: fixes.join(', then ') };
}

/** In a project directory: would `ipcompose up` accept the declarations (addresses on the host, …)? */
async function projectFinding(options: DoctorOptions): Promise<Finding> {
  try {
    resolveComposeFiles(options.globals, options.cwd, options.env);
  } catch {
    return { check: 'project', level: 'ok', detail: 'no compose project here; run doctor in a project directory to check its declarations' };
  }
  const loaded = await attempt(() => loadProject(options, { recreate: false, requireApplicable: true }));
  if (loaded instanceof IpcomposeError) return { check: 'project', level: 'fail', detail: loaded.message, ...(loaded.hint ? { fix: loaded.hint } : {}) };
  if (!loaded.plan) return { check: 'project', level: 'ok', detail: `project ${loaded.model.name} declares no x-egress-ip` };
  const addresses = [...new Set(loaded.plan.networks.flatMap((n) => [n.address.ipv4, n.address.ipv6]).filter(Boolean))];
  return {
    check: 'project',
    level: 'ok',
    detail: `project ${loaded.model.name}: ${addresses.join(', ')} on this host, ${loaded.plan.networks.length} egress network(s) ready${loaded.plan.advice.length > 0 ? `; ${loaded.plan.advice.join('; ')}` : ''}`,
  };
}
