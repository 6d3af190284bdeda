import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { UserError } from '../errors.js';
import { addDeclaration, unifiedDiff, type InitTarget } from '../init/add-declaration.js';
import { resolveComposeFiles } from '../project/compose-files.js';
import { EXTENSION, parseAddress } from '../project/declarations.js';
import type { CommandContext } from './context.js';

export interface InitOptions extends CommandContext {
  ip: string;
  network?: string;
  service?: string;
  dryRun: boolean;
  force: boolean;
}

/** `ipcompose init`: add x-egress-ip to the project's first compose file (or the -f one), keeping its layout. */
export async function init(options: InitOptions): Promise<number> {
  if (options.network && options.service) throw new UserError('--network and --service exclude each other', 'declare one placement per run');
  // Same forms as in the file; ${VAR} is left for compose to interpolate.
  if (!/^\$\{[^}]+\}$/.test(options.ip)) parseAddress(options.ip, ['--ip']);
  const file = resolveComposeFiles(options.globals, options.cwd, options.env)[0]!;
  const target: InitTarget = options.network
    ? { kind: 'network', name: options.network }
    : options.service
      ? { kind: 'service', name: options.service }
      : { kind: 'project' };
  const before = readFileSync(file, 'utf8');
  const after = addDeclaration(before, target, options.ip, options.force);
  const shown = relative(options.cwd, file) || file;
  if (options.dryRun) {
    options.output.print(unifiedDiff(shown, before, after));
    return 0;
  }
  writeFileSync(file, after);
  const where = target.kind === 'project' ? 'the project' : `${target.kind} ${target.name}`;
  options.output.step(`added ${EXTENSION}: ${options.ip} for ${where} in ${shown}; check it with: ipcompose plan`);
  return 0;
}
