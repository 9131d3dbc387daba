// `npm run bench:cpu -- [--runs N] [--cases LIST] [--json FILE] [--perf DIR] ...`: where the CPU goes
// while 256 MiB move through sshpod. The test cluster runs as its own process (with
// CLUSTER_NODE_FLAGS, so that its CPU is not mixed with the clients'), and every process this run
// or the cluster started is sampled from /proc while each case runs (other work on the machine
// is not counted):
//
//   scp_up/down        scp through sshpod (the configured block)
//   floor_up/down      the same scp through socat in the pod's network namespace (no Kubernetes)
//   raw_up/down        the raw port-forward moving the same bytes (client in a child process)
//   cold               `ssh … true` to a fresh pod (sshd upload included; throughput is meaningless)
//
// Each case prints CPU seconds per process kind (utime+stime, summed over the run's processes,
// averaged over the runs) and the median throughput. A process that exits loses at most one
// sampling interval (20 ms). CPU seconds hold up on a busy machine far better than wall time.
// Options for experiments: another sshd (--bundles-dir), ssh options such as a cipher
// (--ssh-options), node flags for the cluster or the proxy (e.g. --cpu-prof), perf recordings.
import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repo, run, sshOptions, sshpodBin } from '../e2e/harness.ts';
import { round } from './stats.ts';
import { NODE_FLAGS } from '../../src/ssh/config-block.ts';
import { CLUSTER_NODE_FLAGS } from '../cluster/node-flags.ts';
import { startClusterProcess } from '../cluster/compat/cluster-process.ts';
import { MiB, RAW_ENDPOINTS, TRANSFER, check, floorProxy, positive } from './common.ts';

const ticksPerSecond = 100; // USER_HZ on Linux

const options = new Command('bench:cpu')
  .option('--runs <n>', 'runs per case', positive, 2)
  .option('--json <file>', 'where to write the JSON summary', join(process.cwd(), 'bench-cpu.json'))
  .option('--cases <list>', 'comma-separated cases', 'scp_up,scp_down,floor_up,floor_down,raw_up,raw_down')
  .option('--node-args <args>', 'extra node arguments for the cluster process (e.g. --cpu-prof)', '')
  .option('--no-cluster-flags', "run the cluster without CLUSTER_NODE_FLAGS (to measure what they change)")
  .option('--proxy-node-args <args>', 'extra node arguments for the sshpod proxies started by scp', '')
  .option('--bundles-dir <dir>', 'install the sshd from this bundles directory (SSHPOD_BUNDLES_DIR)')
  .option('--ssh-options <options>', 'extra options for every scp (e.g. "-o Ciphers=aes128-gcm@openssh.com")', '')
  .option('--perf <dir>', 'also record each case system-wide with `perf record -a -g` into <dir>/<case>.data')
  .parse(process.argv)
  .opts<{ runs: number; json: string; cases: string; nodeArgs: string; clusterFlags: boolean; proxyNodeArgs: string; bundlesDir?: string; sshOptions: string; perf?: string }>();

function say(line: string): void {
  process.stderr.write(`bench:cpu: ${line}\n`);
}

/** What a client process measured itself: its transfer's wall time and CPU, without its start-up. */
interface SelfMeasured {
  seconds: number;
  cpuSeconds: number;
}

interface ProcSample {
  kind: string;
  ticks: number;
}

/** What a process is, from its command line; undefined for processes that are not part of a transfer. */
function kindOf(pid: number, cmdline: string, comm: string, clusterPid: number): string | undefined {
  if (pid === clusterPid) return 'api-server';
  if (cmdline.includes(`${sshpodBin}\0proxy`)) return 'sshpod-proxy';
  if (cmdline.includes('raw-client')) return 'raw-client';
  if (comm.startsWith('nsexec')) return 'cluster-relay (nsexec)';
  if (comm === 'sshd' || cmdline.startsWith('sshd')) return 'sshd';
  if (comm === 'ssh') return 'ssh';
  if (comm === 'scp') return 'scp';
  if (comm === 'socat') return 'socat';
  return undefined;
}

/** Whether `pid` descends from this process or the cluster: other work on the machine is not counted. */
function ours(pid: number, clusterPid: number, parents: Map<number, number>): boolean {
  for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
    if (p === process.pid || p === clusterPid) return true;
    const parent = parents.get(p);
    if (parent === undefined) return false;
    p = parent;
  }
  return false;
}

function snapshot(clusterPid: number, into: Map<string, ProcSample>): void {
  const parents = new Map<number, number>();
  const fresh: Array<{ pid: number; key: string; comm: string; ticks: number }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // Fields after the command: state(3) ppid(4) … utime(14) stime(15) … starttime(22).
      parents.set(Number(entry), Number(fields[1]));
      const ticks = Number(fields[11]) + Number(fields[12]);
      const key = `${entry}:${fields[19]}`;
      const known = into.get(key);
      if (known) known.ticks = ticks;
      else fresh.push({ pid: Number(entry), key, comm, ticks });
    } catch {
      // gone meanwhile
    }
  }
  for (const { pid, key, comm, ticks } of fresh) {
    if (pid === process.pid || !ours(pid, clusterPid, parents)) continue;
    try {
      const kind = kindOf(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8'), comm, clusterPid);
      if (kind) into.set(key, { kind, ticks });
    } catch {
      // gone meanwhile
    }
  }
}

async function measure(clusterPid: number, action: () => Promise<SelfMeasured | void>): Promise<{ seconds: number; cpu: Record<string, number> }> {
  const before = new Map<string, ProcSample>();
  snapshot(clusterPid, before);
  const baseline = new Map([...before].map(([key, sample]) => [key, sample.ticks]));
  const samples = new Map(before);
  let running = true;
  const polling = (async () => {
    while (running) {
      snapshot(clusterPid, samples);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const started = process.hrtime.bigint();
  let self: SelfMeasured | void;
  try {
    self = await action();
  } finally {
    running = false;
    await polling;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  snapshot(clusterPid, samples);
  const cpu: Record<string, number> = {};
  for (const [key, sample] of samples) {
    const used = (sample.ticks - (baseline.get(key) ?? 0)) / ticksPerSecond;
    if (used > 0) cpu[sample.kind] = (cpu[sample.kind] ?? 0) + used;
  }
  if (self) {
    cpu['raw-client'] = self.cpuSeconds;
    return { seconds: self.seconds, cpu };
  }
  return { seconds, cpu };
}

const rawClient = `
const [, , kubeconfig, home, namespace, pod, port, direction, file] = process.argv;
process.env.KUBECONFIG = kubeconfig; process.env.HOME = home;
const { loadKubeConfig, selectContext } = await import(${JSON.stringify(join(repo, 'src/kube/kubeconfig.ts'))});
const { ApiConnection } = await import(${JSON.stringify(join(repo, 'src/kube/connection.ts'))});
const { openPortForward } = await import(${JSON.stringify(join(repo, 'src/kube/port-forward.ts'))});
const { receiveAll, sendAll } = await import(${JSON.stringify(join(repo, 'test/bench/raw-transfer.ts'))});
const { readFileSync } = await import('node:fs');
const connection = await ApiConnection.open(selectContext(loadKubeConfig(), undefined));
const chunk = direction === 'up' ? readFileSync(file) : undefined;
const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
const stream = await openPortForward(connection, { namespace, pod, port: Number(port) });
const total = ${TRANSFER};
if (direction === 'up') await sendAll(stream, chunk);
else await receiveAll(stream, total);
stream.destroy();
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(JSON.stringify({ seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
connection.close();
`;

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'sshpod-bench-cpu-'));
  const manifest = join(work, 'pod.yaml');
  const coldPods = options.cases.split(',').includes('cold') ? options.runs : 0;
  writeFileSync(
    manifest,
    ['warm', ...Array.from({ length: coldPods }, (_, i) => `cold-${i}`)]
      .map((name) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec: {containers: [{name: main, image: ${name === 'warm' ? 'debian' : 'busybox'}}]}\n`)
      .join('---\n'),
  );
  const nodeArgs = [...(options.clusterFlags ? CLUSTER_NODE_FLAGS : []), ...options.nodeArgs.split(' ').filter((a) => a.length > 0)];
  const cluster = await startClusterProcess(work, [manifest], 120_000, nodeArgs);
  const clusterPid = cluster.child.pid as number;
  const results: Record<string, unknown> = {};
  try {
    const home = join(work, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(join(home, '.kube', 'config'), readFileSync(cluster.kubeconfig));
    const env: Record<string, string> = { HOME: home, PATH: process.env['PATH'] ?? '/usr/bin:/bin', KUBECONFIG: join(home, '.kube', 'config'), LANG: 'C.UTF-8' };
    if (options.bundlesDir) env['SSHPOD_BUNDLES_DIR'] = options.bundlesDir;
    const extraSshOptions = options.sshOptions.split(' ').filter((a) => a.length > 0);
    check(await run(process.execPath, [sshpodBin, 'configure', '--yes'], { env }), 'sshpod configure');
    const config = join(home, '.ssh', 'config');
    const ssh = (args: string[]): Promise<Awaited<ReturnType<typeof run>>> => run('ssh', ['-F', config, ...sshOptions, ...args], { env });
    // The block's ProxyCommand with extra node arguments (e.g. --cpu-prof --cpu-prof-dir=…).
    const proxyArgs = options.proxyNodeArgs ? ['-o', `ProxyCommand=${process.execPath} ${[...NODE_FLAGS, options.proxyNodeArgs].join(' ')} ${sshpodBin} proxy --host %h --user %r --port %p`] : [];
    const scp = (args: string[]): Promise<Awaited<ReturnType<typeof run>>> => run('scp', ['-F', config, ...sshOptions, ...extraSshOptions, ...(args[0] === '-o' ? [] : proxyArgs), ...args], { env, timeoutMs: 300_000 });
    check(await ssh(['root@pod--warm.sshpod', 'true']), 'first ssh');
    const port = (await ssh(['root@pod--warm.sshpod', 'cat /tmp/sshpod/*/main/port'])).stdout.trim();
    const netns = findNetns(port);
    const floor = floorProxy(netns, port);
    check(
      await ssh(['root@pod--warm.sshpod', RAW_ENDPOINTS]),
      'socat in the pod',
    );
    const file = join(work, 'payload.bin');
    writeFileSync(file, randomBytes(TRANSFER));
    check(await scp([file, 'root@pod--warm.sshpod:/tmp/payload.bin']), 'scp (warm-up)');
    const script = join(work, 'raw-client.mts');
    writeFileSync(script, rawClient);
    const raw = async (direction: 'up' | 'down'): Promise<SelfMeasured> => {
      const r = await run(process.execPath, ['--import', 'tsx', script, cluster.kubeconfig, home, 'default', 'warm', direction === 'up' ? '7001' : '7002', direction, file], { env, timeoutMs: 300_000 });
      check(r, `raw ${direction}`);
      return JSON.parse(r.stdout) as SelfMeasured;
    };
    let coldIndex = 0;
    const cases: Record<string, () => Promise<SelfMeasured | void>> = {
      scp_up: async () => check(await scp([file, 'root@pod--warm.sshpod:/tmp/up.bin']), 'scp up'),
      scp_down: async () => check(await scp(['root@pod--warm.sshpod:/tmp/payload.bin', join(work, 'back.bin')]), 'scp down'),
      floor_up: async () => check(await scp(['-o', floor, file, 'root@pod--warm.sshpod:/tmp/up.bin']), 'floor up'),
      floor_down: async () => check(await scp(['-o', floor, 'root@pod--warm.sshpod:/tmp/payload.bin', join(work, 'back.bin')]), 'floor down'),
      // First connection to a fresh pod (sshd upload included): what a bigger bundle costs.
      cold: async () => check(await ssh([...extraSshOptions, `root@pod--cold-${coldIndex++}.sshpod`, 'true']), 'cold ssh'),
      raw_up: () => raw('up'),
      raw_down: () => raw('down'),
    };
    for (const name of options.cases.split(',')) {
      const action = cases[name];
      if (!action) throw new Error(`unknown case ${name}`);
      const runs: Array<{ seconds: number; cpu: Record<string, number> }> = [];
      const perf = options.perf ? spawn('perf', ['record', '-q', '-F', '999', '-e', 'cpu-clock', '-a', '-g', '-o', join(options.perf, `${name}.data`)], { stdio: 'ignore' }) : undefined;
      if (perf) await new Promise((resolve) => setTimeout(resolve, 500));
      for (let i = 0; i < options.runs; i++) runs.push(await measure(clusterPid, action));
      if (perf) {
        perf.kill('SIGINT');
        await new Promise((resolve) => perf.once('exit', resolve));
        say(`${name}: perf data in ${join(options.perf as string, `${name}.data`)}; the API server is pid ${clusterPid}`);
      }
      const kinds = [...new Set(runs.flatMap((r) => Object.keys(r.cpu)))].sort();
      const cpu: Record<string, number> = {};
      for (const kind of kinds) cpu[kind] = round(runs.reduce((sum, r) => sum + (r.cpu[kind] ?? 0), 0) / runs.length, 2);
      const seconds = runs.map((r) => r.seconds).sort((a, b) => a - b);
      const median = seconds[Math.floor(seconds.length / 2)] as number;
      const total = round(Object.values(cpu).reduce((a, b) => a + b, 0), 2);
      results[name] = { mibPerSecond: round(TRANSFER / MiB / median, 1), wallSeconds: round(median, 3), cpuSeconds: cpu, totalCpuSeconds: total };
      const speed = name === 'cold' ? `${round(median, 3)} s` : `${round(TRANSFER / MiB / median, 1)} MiB/s`;
      process.stdout.write(`${name.padEnd(11)} ${speed.padStart(12)}  cpu ${String(total).padStart(5)} s: ${Object.entries(cpu).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
    }
    results['load'] = readFileSync('/proc/loadavg', 'utf8').trim();
    writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The network namespace of the process listening on 127.0.0.1:port (the in-pod sshd). */
function findNetns(port: string): string {
  const hexPort = Number(port).toString(16).toUpperCase().padStart(4, '0');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'sshd') continue;
      const tcp = readFileSync(`/proc/${entry}/net/tcp`, 'utf8');
      if (tcp.includes(`0100007F:${hexPort} 00000000:0000 0A`)) return `/proc/${entry}/ns/net`;
    } catch {
      // gone
    }
  }
  throw new Error(`no sshd listens on port ${port}`);
}

main().catch((error: unknown) => {
  say(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
