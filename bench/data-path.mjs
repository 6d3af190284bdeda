#!/usr/bin/env node
// Data-path benchmark (not a test). Needs the bench: sudo bash test/bench/setup.sh
//
// Throughput and new-connection rate from a container to the peer "on the
// internet", through Docker's default MASQUERADE, through ipcompose's native
// egress (Docker's own SNAT rule, from host_ipv4) and through ipcompose's
// fallback (its SNAT chain), side by side: rounds interleave the three in a
// rotating order, and each ratio is the median of per-round ratios, so that
// the machine's drift between rounds cancels out. The load comes from a Node
// program entered into each container's network namespace (nsenter, as
// `ipcompose verify` does), so its packets take the container's path while
// busybox's small buffers and per-connection processes stay out of the
// figures. The peer side measures: a sink in the peer's namespace times each
// upload from its first byte to its last, and the spacing of connections.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../bin/ipcompose');
const rounds = Number(process.env.BENCH_RUNS ?? 11);
const image = 'ipcompose-test/busybox:latest';
const peer = '198.18.0.254';
const uploadPort = 9009;
const connectPort = 9010;
const uploadBytes = 1024 * 1024 * 1024;
const connections = 2000;

const variants = [
  { name: 'masquerade', project: 'bench-dp-masq', declaration: '', snat: [], expect: '198.18.0.1' },
  { name: 'native', project: 'bench-dp-native', declaration: 'x-egress-ip: 198.18.0.15\n', snat: ['--snat', 'native'], expect: '198.18.0.15' },
  { name: 'fallback', project: 'bench-dp-fallback', declaration: 'x-egress-ip: 198.18.0.16\n', snat: ['--snat', 'iptables'], expect: '198.18.0.16' },
];

// Runs in the peer's namespace: reports each finished upload and each connection as a JSON line.
const sink = `
import { createServer } from 'node:net';
const report = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
createServer((s) => {
  let bytes = 0, first;
  s.on('data', (d) => {
    first ??= process.hrtime.bigint();
    bytes += d.length;
    if (bytes >= ${uploadBytes}) {
      report({ kind: 'upload', from: s.remoteAddress, ms: Number(process.hrtime.bigint() - first) / 1e6 });
      s.destroy();
    }
  });
  s.on('error', () => {});
}).listen(${uploadPort}, () => {
  createServer((s) => {
    report({ kind: 'connect', from: s.remoteAddress, at: Number(process.hrtime.bigint()) / 1e6 });
    s.destroy();
  }).listen(${connectPort}, () => report({ kind: 'ready' }));
});
`;

// Runs in a container's namespace: one upload, then one connection after another.
const load = `
import { connect } from 'node:net';
const once = (port, start) => new Promise((resolve, reject) => {
  const s = connect(port, '${peer}', () => start(s));
  s.on('close', resolve);
  s.on('error', reject);
});
const chunk = Buffer.alloc(1 << 20);
await once(${uploadPort}, (s) => {
  let sent = 0;
  const pump = () => {
    while (sent < ${uploadBytes}) {
      sent += chunk.length;
      if (!s.write(chunk)) return s.once('drain', pump);
    }
  };
  pump();
});
for (let i = 0; i < ${connections}; i++) await once(${connectPort}, () => {}).catch(() => {});
`;

const sh = (argv, options = {}) => {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', ...options });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
};

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)];
const median = (xs) => quantile(xs, 0.5);
/** Median, with the middle half of the runs to show the noise. */
const spread = (xs) => ({ median: Math.round(median(xs)), middleHalf: [Math.round(quantile(xs, 0.25)), Math.round(quantile(xs, 0.75))] });

const used = execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' });
if (!used.includes('198.18.0.16/')) throw new Error('the bench uplink is not up: sudo bash test/bench/setup.sh');

const peerSink = spawn('ip', ['netns', 'exec', 'ipc-peer', process.execPath, '--input-type=module', '-e', sink], { stdio: ['ignore', 'pipe', 'inherit'] });
const events = [];
let waiting;
createInterface({ input: peerSink.stdout }).on('line', (line) => {
  events.push(JSON.parse(line));
  waiting?.();
});
const next = (pred) =>
  new Promise((resolve) => {
    const check = () => {
      const i = events.findIndex(pred);
      if (i >= 0) resolve(events.splice(i, 1)[0]);
    };
    waiting = check;
    check();
  });

const dirs = [];
try {
  await next((e) => e.kind === 'ready');
  for (const v of variants) {
    const dir = join(mkdtempSync(join(tmpdir(), 'ipc-bench-')), v.project);
    sh(['mkdir', '-p', dir]);
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${v.project}\n${v.declaration}services:\n  app:\n    image: ${image}\n    pull_policy: never\n    init: true\n    command: sleep 86400\n`,
    );
    dirs.push(dir);
    sh([cli, '-q', 'up', ...v.snat, '-d'], { cwd: dir });
    v.container = `${v.project}-app-1`;
    v.pid = sh(['docker', 'inspect', '-f', '{{.State.Pid}}', v.container]).trim();
    const seen = sh(['docker', 'exec', v.container, 'timeout', '5', 'wget', '-qO-', `http://${peer}/`]).trim();
    if (seen !== v.expect) throw new Error(`${v.name}: the peer sees ${seen}, not ${v.expect}`);
  }

  const results = Object.fromEntries(variants.map((v) => [v.name, { mbPerS: [], connPerS: [] }]));
  for (let round = 0; round < rounds; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const v of order) {
      const upload = next((e) => e.kind === 'upload');
      sh(['nsenter', '-t', v.pid, '-n', process.execPath, '--input-type=module', '-e', load]);
      const { ms, from } = await upload;
      if (from.replace(/^::ffff:/, '') !== v.expect) throw new Error(`${v.name}: upload came from ${from}`);
      results[v.name].mbPerS.push(uploadBytes / 1024 / 1024 / (ms / 1000));
      await new Promise((r) => setTimeout(r, 100));
      const connects = events.filter((e) => e.kind === 'connect');
      events.length = 0;
      if (connects.some((e) => e.from.replace(/^::ffff:/, '') !== v.expect)) throw new Error(`${v.name}: connections came from elsewhere`);
      const times = connects.map((e) => e.at);
      if (times.length !== connections) throw new Error(`${v.name}: ${times.length} of ${connections} connections arrived`);
      results[v.name].connPerS.push((connections - 1) / ((Math.max(...times) - Math.min(...times)) / 1000));
    }
  }

  const summary = Object.fromEntries(
    variants.map((v) => [v.name, { uploadMiBPerS: spread(results[v.name].mbPerS), connectionsPerS: spread(results[v.name].connPerS) }]),
  );
  const ratio = (name, key) => Number(median(results[name][key].map((x, i) => x / results.masquerade[key][i])).toFixed(3));
  console.log(
    JSON.stringify(
      {
        rounds,
        uploadMiB: uploadBytes / 1024 / 1024,
        connectionsPerRound: connections,
        ...summary,
        ratioToMasquerade: {
          native: { upload: ratio('native', 'mbPerS'), connections: ratio('native', 'connPerS') },
          fallback: { upload: ratio('fallback', 'mbPerS'), connections: ratio('fallback', 'connPerS') },
        },
      },
      null,
      2,
    ),
  );
} finally {
  for (const dir of dirs) spawnSync(cli, ['-q', 'down', '-t', '0'], { cwd: dir, stdio: 'ignore' });
  peerSink.kill();
}
