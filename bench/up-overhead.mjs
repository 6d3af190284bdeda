#!/usr/bin/env node
// Control-path benchmark (not a test). Needs the bench: sudo bash test/bench/setup.sh
//
// 1. Median wall time of `ipcompose up -d` against `docker compose up -d` with
//    the same files and override, on an already-running stack, measured
//    alternately in the same run; prints the ratio. Also against the compose
//    binary run directly, which is what ipcompose hands over to. Measured twice:
//    with the files unchanged since the last run (ipcompose reuses compose's
//    model) and with a compose file edited before every run (it asks compose).
// 2. External processes ipcompose starts (its --verbose argv lines) for a project
//    with 1 egress network and with 50, in both cases.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../bin/ipcompose');
const runs = Number(process.env.BENCH_RUNS ?? 15);
const address = '198.18.0.11';
const image = 'ipcompose-test/busybox:latest';

function stack(name, networks) {
  const dir = join(mkdtempSync(join(tmpdir(), 'ipc-bench-')), name);
  execFileSync('mkdir', ['-p', dir]);
  const nets = Array.from({ length: networks }, (_, i) => `net${i + 1}`);
  // Explicit /24s from 198.19.0.0/16 (benchmarking range): the engine's default
  // pools hold only about 30 bridge networks.
  const body = [
    `name: ${name}`,
    `x-egress-ip: ${address}`,
    'services:',
    '  app:',
    `    image: ${image}`,
    '    pull_policy: never',
    '    init: true',
    `    networks: [${nets.join(', ')}]`,
    'networks:',
    ...nets.flatMap((n, i) => [`  ${n}:`, '    ipam:', '      config:', `        - subnet: 198.19.${networks === 1 ? 200 : i + 1}.0/24`]),
  ].join('\n');
  writeFileSync(join(dir, 'compose.yaml'), `${body}\n`);
  return dir;
}

function time(argv, cwd) {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A comment line: compose's model stays the same, but ipcompose has to ask compose again. */
const edit = (dir) => appendFileSync(join(dir, 'compose.yaml'), `# edited ${process.hrtime.bigint()}\n`);

function processes(cwd, edited) {
  if (edited) edit(cwd);
  const r = spawnSync(cli, ['--verbose', 'up', '-d'], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stderr.split('\n').filter((l) => l.startsWith('$ ')).length;
}

function composeArgv(cwd) {
  const plan = JSON.parse(execFileSync(cli, ['plan', '--json', '-d'], { cwd, encoding: 'utf8' }));
  return plan.actions.at(-1).argv;
}

const used = execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' });
if (/ 198\.19\./.test(used)) throw new Error('198.19.0.0/16 is in use on this machine; not benchmarking');

const one = stack('bench-one', 1);
const fifty = stack('bench-fifty', 50);
try {
  for (const dir of [one, fifty]) time([cli, '-q', 'up', '-d'], dir);
  const compose = composeArgv(one);
  const round = (edited) => {
    const ours = [];
    const theirs = [];
    const viaDockerCli = [];
    // Interleaved, so that load on the machine hits all three alike.
    for (let i = 0; i < runs; i++) {
      if (edited) edit(one);
      ours.push(time([cli, '-q', 'up', '-d'], one));
      theirs.push(time(compose, one));
      viaDockerCli.push(time(['docker', 'compose', ...compose.slice(1)], one));
    }
    return {
      ipcomposeUpMs: Math.round(median(ours)),
      composeBinaryUpMs: Math.round(median(theirs)),
      dockerComposeUpMs: Math.round(median(viaDockerCli)),
      ratio: Number((median(ours) / median(viaDockerCli)).toFixed(2)),
      ratioToComposeBinary: Number((median(ours) / median(theirs)).toFixed(2)),
      processesWith1Network: processes(one, edited),
      processesWith50Networks: processes(fifty, edited),
    };
  };
  const result = {
    runs,
    filesUnchanged: round(false),
    fileEditedBeforeEachRun: round(true),
    // bin/ipcompose keeps it from Node's start-up, where it costs ~100 ms.
    nodeExtraCaCerts: process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'unset',
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  for (const dir of [one, fifty]) spawnSync(cli, ['-q', 'down', '-t', '0'], { cwd: dir, stdio: 'ignore' });
}
