import { Command, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { createEngineRequest, resolveEndpoint } from './adapters/engine.js';
import { createRunner } from './adapters/run.js';
import type { CommandContext } from './commands/context.js';
import { IpcomposeError, UserError } from './errors.js';
import { Output } from './output.js';
import type { SnatMode } from './plan/egress-plan.js';
import type { ComposeGlobals } from './project/compose-files.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** --snat; IPCOMPOSE_SNAT in the environment sets the default. */
const snatOption = () =>
  new Option('--snat <mode>', 'auto (default, or IPCOMPOSE_SNAT): Docker\'s options where they apply, ipcompose\'s SNAT chain elsewhere; native; iptables').choices([
    'auto',
    'native',
    'iptables',
  ]);

function snatMode(flag: string | undefined, env: NodeJS.ProcessEnv): SnatMode {
  const mode = flag ?? env.IPCOMPOSE_SNAT ?? 'auto';
  if (mode !== 'auto' && mode !== 'native' && mode !== 'iptables') {
    throw new UserError(`IPCOMPOSE_SNAT=${mode} is not a mode`, 'use auto, native or iptables');
  }
  return mode;
}

interface GlobalFlags {
  file: string[];
  projectName?: string;
  projectDirectory?: string;
  profile: string[];
  envFile: string[];
  ansi?: string;
  progress?: string;
  parallel?: string;
  compatibility?: boolean;
  allResources?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

/**
 * Parses argv and runs one command. Returns the exit status; the caller
 * exits with it. Compose's global flags come before the subcommand, as with
 * `docker compose`; everything after the subcommand belongs to it.
 */
export async function main(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  let status = 0;
  let output = new Output({ env });
  const program = new Command('ipcompose')
    .description('docker compose with its own egress IP address per stack, network or service')
    .usage('[compose global flags] <command> [args]')
    .enablePositionalOptions()
    .showHelpAfterError()
    .option('-f, --file <path>', 'compose file (repeatable), as in compose', collect, [])
    .option('-p, --project-name <name>', 'project name, as in compose')
    .option('--project-directory <dir>', 'project directory, as in compose')
    .option('--profile <name>', 'profile to enable (repeatable), as in compose', collect, [])
    .option('--env-file <path>', 'environment file (repeatable), as in compose', collect, [])
    .addOption(new Option('--ansi <when>', 'passed to compose').hideHelp())
    .addOption(new Option('--progress <type>', 'passed to compose').hideHelp())
    .addOption(new Option('--parallel <n>', 'passed to compose').hideHelp())
    .addOption(new Option('--compatibility', 'passed to compose').hideHelp())
    .addOption(new Option('--all-resources', 'passed to compose').hideHelp())
    .option('-v, --verbose', 'print every external command as argv')
    .option('-q, --quiet', 'print only errors')
    .version(pkg.version, '--version')
    .addHelpText(
      'after',
      `
Any other command is passed to docker compose with the same files and override:
  ipcompose ps, ipcompose logs -f web, ipcompose exec web sh

Example:
  ipcompose up -d            # networks with their egress addresses, then compose up -d
  ipcompose -f prod.yaml plan --json`,
    );

  const context = async (): Promise<CommandContext> => {
    const flags = program.opts<GlobalFlags>();
    output = await Output.create({ env, ...(flags.quiet ? { quiet: true } : {}), ...(flags.verbose ? { verbose: true } : {}) });
    const engine = createEngineRequest(resolveEndpoint(env), output);
    return { cwd, env, globals: toGlobals(flags), output, run: createRunner({ cwd, env, output }), engine };
  };

  program
    .command('up')
    .description('check, prepare the egress networks, then run docker compose up (its flags pass through)')
    .option('--dry-run', 'print the plan instead (same as ipcompose plan)')
    .option('--json', 'with --dry-run: the plan as JSON')
    .option('--recreate', 'replace networks that exist without the right options')
    .addOption(snatOption())
    .argument('[compose-args...]', 'arguments for docker compose up')
    .allowUnknownOption()
    .addHelpText('after', '\nExample:\n  ipcompose up -d --build\n  ipcompose up --dry-run --json')
    .action(async (args: string[], opts: { dryRun?: boolean; json?: boolean; recreate?: boolean; snat?: string }) => {
      const { up } = await import('./commands/up.js');
      status = await up({ ...(await context()), args, dryRun: opts.dryRun ?? false, json: opts.json ?? false, recreate: opts.recreate ?? false, snat: snatMode(opts.snat, env) });
    });

  program
    .command('plan')
    .description('print every action up would take, and the compose command; changes nothing')
    .option('--json', 'machine-readable output (schema in the README)')
    .addOption(snatOption())
    .argument('[compose-up-args...]', 'arguments up would pass to docker compose up')
    .allowUnknownOption()
    .addHelpText('after', '\nExample:\n  ipcompose plan\n  ipcompose plan --json | jq .networks')
    .action(async (args: string[], opts: { json?: boolean; snat?: string }) => {
      const { plan } = await import('./commands/plan.js');
      status = await plan({ ...(await context()), args, json: opts.json ?? false, snat: snatMode(opts.snat, env) });
    });

  program
    .command('down')
    .description('docker compose down with the same files and override')
    .argument('[compose-args...]', 'arguments for docker compose down')
    .allowUnknownOption()
    .addHelpText('after', '\nExample:\n  ipcompose down --volumes')
    .action(async (args: string[]) => {
      const { down } = await import('./commands/down.js');
      status = await down({ ...(await context()), args });
    });

  program
    .command('verify')
    .description('prove it: the source address a probe target sees from inside each service, and each gateway')
    .option('--target <url>', 'http://host/ answering with the caller\'s address, or stun:host[:port] (repeatable; default: IPCOMPOSE_VERIFY_TARGET)', collect, [])
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  ipcompose verify --target http://203.0.113.99/ --target stun:203.0.113.99:3478')
    .action(async (opts: { target: string[]; json?: boolean }) => {
      const { verify } = await import('./commands/verify.js');
      const targets = opts.target.length > 0 ? opts.target : (env.IPCOMPOSE_VERIFY_TARGET ?? '').split(',').filter((t) => t !== '');
      status = await verify({ ...(await context()), targets, json: opts.json ?? false, self: [process.execPath, process.argv[1]!] });
    });

  program
    .command('status')
    .description('per egress network: addresses, mode, SNAT rule present and first, bind address, containers')
    .option('--all', 'every egress network on this host, not just this project\'s')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  ipcompose status\n  ipcompose status --all --json')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const { status: run } = await import('./commands/status.js');
      status = await run({ ...(await context()), all: opts.all ?? false, json: opts.json ?? false });
    });

  program
    .command('init')
    .description('add x-egress-ip to an existing compose file, keeping its comments and layout')
    .requiredOption('--ip <address>', 'the egress address (IPv4, IPv6, or ${VAR})')
    .option('--network <name>', 'declare it on this network')
    .option('--service <name>', 'declare it on this service')
    .option('--dry-run', 'print the change as a diff; write nothing')
    .option('--force', 'replace an existing declaration')
    .addHelpText('after', '\nExample:\n  ipcompose init --ip 203.0.113.5\n  ipcompose -f mail.yaml init --service postfix --ip 203.0.113.6 --dry-run')
    .action(async (opts: { ip: string; network?: string; service?: string; dryRun?: boolean; force?: boolean }) => {
      const { init } = await import('./commands/init.js');
      status = await init({
        ...(await context()),
        ip: opts.ip,
        ...(opts.network ? { network: opts.network } : {}),
        ...(opts.service ? { service: opts.service } : {}),
        dryRun: opts.dryRun ?? false,
        force: opts.force ?? false,
      });
    });

  program
    .command('doctor')
    .description('engine and compose versions, permissions, firewall, forwarding, addresses, leftovers; each problem with its fix')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  ipcompose doctor\n  ipcompose doctor --json | jq .ok')
    .action(async (opts: { json?: boolean }) => {
      const { doctor } = await import('./commands/doctor.js');
      status = await doctor({ ...(await context()), json: opts.json ?? false });
    });

  program
    .command('reconcile')
    .description('re-apply the SNAT of every running project from network and container labels (after a firewall flush or a dockerd restart)')
    .addHelpText('after', '\nExample:\n  ipcompose reconcile        # also run by templates/systemd/ipcompose-reconcile.service')
    .action(async () => {
      const { reconcile } = await import('./commands/reconcile.js');
      status = await reconcile(await context());
    });

  program
    .command('probe', { hidden: true })
    .description('internal: run inside a network namespace by verify')
    .argument('<target>')
    .action(async (target: string) => {
      const { probe } = await import('./probe.js');
      process.stdout.write(`${JSON.stringify(await probe(target))}\n`);
    });

  program
    .argument('[command]', 'a compose command to pass through')
    .argument('[args...]')
    .allowUnknownOption()
    .passThroughOptions()
    .action(async (command: string | undefined, args: string[]) => {
      if (command === undefined) {
        program.help();
      }
      const { passthrough } = await import('./commands/passthrough.js');
      status = await passthrough({ ...(await context()), args: [command!, ...args] });
    });

  program.exitOverride();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return status;
  } catch (error) {
    return report(error, output);
  }
}

function toGlobals(flags: GlobalFlags): ComposeGlobals {
  const extra: string[] = [];
  if (flags.ansi !== undefined) extra.push('--ansi', flags.ansi);
  if (flags.progress !== undefined) extra.push('--progress', flags.progress);
  if (flags.parallel !== undefined) extra.push('--parallel', flags.parallel);
  if (flags.compatibility) extra.push('--compatibility');
  if (flags.allResources) extra.push('--all-resources');
  return {
    files: flags.file,
    ...(flags.projectName !== undefined ? { projectName: flags.projectName } : {}),
    ...(flags.projectDirectory !== undefined ? { projectDirectory: flags.projectDirectory } : {}),
    profiles: flags.profile,
    envFiles: flags.envFile,
    extra,
  };
}

/** The one place that turns an error into output and an exit status. */
function report(error: unknown, output: Output): number {
  if (error instanceof IpcomposeError) {
    output.error(error.message, error.hint);
    return error.exitCode;
  }
  // commander's own exits (--help, --version, usage errors) arrive here.
  const code = (error as { code?: string; exitCode?: number }).code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    const exitCode = (error as { exitCode: number }).exitCode;
    return code === 'commander.helpDisplayed' || code === 'commander.version' || exitCode === 0 ? 0 : 2;
  }
  process.stderr.write(`ipcompose: internal error (a bug; please report it)\n${(error as Error)?.stack ?? String(error)}\n`);
  return 70;
}
