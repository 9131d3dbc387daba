// `npm run bench -- --real`: the benchmark's main cases against the real lane's Kubernetes
// (kube-apiserver + kubelet + containerd v1.20 on this machine, test/real/cluster) instead of the
// stand-in, so the figures are not only ours against ours: cold, warm, shared, one exec and one
// port-forward with the proxy's own client code, scp up and down, parallel first connections.
// Builds what is missing (cached), starts the cluster, stops it at the end. No floor case: it
// needs the stand-in's view into a pod's network namespace.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container, countSshdListeners, pod, sshpodBin, type E2E } from '../e2e/harness.ts';
import { startRealCluster } from '../real/cluster/real-cluster.ts';
import { startRealE2E, type RealNamespace } from '../real/harness.ts';
import { loadKubeConfig, selectContext } from '../../src/kube/kubeconfig.ts';
import { ApiConnection } from '../../src/kube/connection.ts';
import { startExec } from '../../src/kube/exec.ts';
import { openPortForward } from '../../src/kube/port-forward.ts';
import { round, roundSummary, summarize, type Summary } from './stats.ts';
import { peakRss } from './peak-rss.ts';
import { MiB, TRANSFER, check } from './common.ts';

export interface RealBenchOptions {
  runs: number;
  transferRuns: number;
  json: string;
}

function say(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

async function seconds(action: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function sample(runs: number, action: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await seconds(() => action(i)));
  return samples;
}

export async function benchReal(options: RealBenchOptions): Promise<void> {
  const repo = new URL('../..', import.meta.url).pathname;
  for (const script of ['test/real/cluster/build-kubernetes.sh', 'test/real/cluster/build-images.sh']) {
    const built = spawnSync('bash', [script], { cwd: repo, stdio: 'inherit' });
    if (built.status !== 0) throw new Error(`${script} failed (run scripts/install-host-deps.sh --real-k8s first)`);
  }
  say('starting the real cluster (kube-apiserver, kubelet, containerd v1.20)');
  const cluster = await startRealCluster({ log: (line) => say(line) });
  process.env['SSHPOD_REAL_CLUSTER'] = join('/run/sshpod-real-k8s', 'ready.json');
  const work = mkdtempSync(join(tmpdir(), 'sshpod-bench-real-'));
  const results: Record<string, unknown> = { cluster: `kube-apiserver ${cluster.info.version} + kubelet + containerd (this machine)` };
  const table: Array<[string, Summary | string, string]> = [];
  const record = (name: string, samples: number[], unit: string, digits = 3): Summary => {
    const summary = roundSummary(summarize(samples), digits);
    results[name] = { ...summary, unit };
    table.push([name, summary, unit]);
    return summary;
  };
  let e: E2E<RealNamespace> | undefined;
  try {
    const coldPods = Array.from({ length: options.runs }, (_, i) => pod(`cold-${i}`, { containers: [container('main', 'busybox')] }));
    say(`creating ${coldPods.length + 2} pods`);
    e = await startRealE2E('bench', [pod('warm', { containers: [container('main', 'debian')] }), pod('par', { containers: [container('main', 'busybox')] }), ...coldPods]);
    const bench = e;
    const namespace = bench.cluster.namespace;
    const ssh = (host: string, extra: string[] = []): Promise<void> => bench.ssh(`root@${host}`, ['true'], { sshOptions: extra }).then((r) => check(r, `ssh ${host}`));

    say('cold: first connections to fresh pods');
    record('cold', await sample(options.runs, (i) => ssh(`pod--cold-${i}.sshpod`)), 's');
    say('warm: the same ssh again, sshd running, no connection sharing');
    await ssh('pod--warm.sshpod');
    record('warm', await sample(options.runs, () => ssh('pod--warm.sshpod')), 's');
    say('shared: over the ControlMaster connection');
    check(await bench.ssh('root@pod--warm.sshpod', ['true'], { shared: true }), 'ssh (master)');
    record('shared', await sample(options.runs, () => bench.ssh('root@pod--warm.sshpod', ['true'], { shared: true }).then((r) => check(r, 'ssh (shared)'))), 's');

    say('api: one exec round trip, one port-forward to its first byte');
    process.env['KUBECONFIG'] = bench.env['KUBECONFIG'];
    process.env['HOME'] = bench.home;
    const selected = selectContext(loadKubeConfig(), undefined);
    const port = Number((await bench.podShell(namespace, 'warm', 'main', 'cat /tmp/sshpod/*/main/port')).trim());
    record(
      'api_exec',
      await sample(options.runs, async () => {
        const connection = await ApiConnection.open(selected);
        const session = await startExec(connection, { namespace, pod: 'warm', container: 'main', command: ['true'], stdin: false });
        await session.result;
        connection.close();
      }),
      's',
    );
    record(
      'api_portforward',
      await sample(options.runs, async () => {
        const connection = await ApiConnection.open(selected);
        const stream = await openPortForward(connection, { namespace, pod: 'warm', port });
        await new Promise((resolve) => stream.once('data', resolve));
        stream.destroy();
        connection.close();
      }),
      's',
    );

    say(`throughput: scp ${TRANSFER / MiB} MiB each way`);
    const file = join(work, 'payload.bin');
    writeFileSync(file, randomBytes(TRANSFER));
    const mibPerSecond = (s: number): number => TRANSFER / MiB / s;
    const up: number[] = [];
    const down: number[] = [];
    let rss = 0;
    for (let i = 0; i < options.transferRuns; i++) {
      rss = Math.max(
        rss,
        await peakRss(`${sshpodBin}\0proxy`, async () => {
          up.push(mibPerSecond(await seconds(async () => check(await bench.scp([file, 'root@pod--warm.sshpod:/tmp/payload.bin']), 'scp up'))));
          down.push(mibPerSecond(await seconds(async () => check(await bench.scp(['root@pod--warm.sshpod:/tmp/payload.bin', join(work, 'back.bin')]), 'scp down'))));
        }),
      );
    }
    record('scp_up', up, 'MiB/s', 1);
    record('scp_down', down, 'MiB/s', 1);
    record('memory', [rss], 'MB', 1);

    say('parallel: 32 simultaneous first connections to one fresh pod');
    let successes = 0;
    const total = await seconds(async () => {
      const all = await Promise.all(Array.from({ length: 32 }, () => bench.ssh('root@pod--par.sshpod', ['true'])));
      successes = all.filter((r) => r.code === 0).length;
      for (const failure of new Set(all.filter((r) => r.code !== 0).map((r) => `exit ${r.code}: ${r.stderr.trim()}`))) say(`parallel: a connection failed, ${failure}`);
    });
    const sshds = Number((await bench.podShell(namespace, 'par', 'main', countSshdListeners)).trim());
    results['parallel'] = { connections: 32, succeeded: successes, seconds: round(total), sshd: sshds };
    table.push(['parallel', `${successes}/32 in ${round(total, 2)} s, ${sshds} sshd`, '']);
    results['machine'] = { cpus: (await import('node:os')).cpus().length, node: process.version, runs: options.runs };
  } finally {
    await e?.stop().catch(() => undefined);
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }

  const lines = ['case (real cluster) min      median   max      unit'];
  for (const [name, value, unit] of table) {
    lines.push(typeof value === 'string' ? `${name.padEnd(19)} ${value}` : `${name.padEnd(19)} ${String(value.min).padEnd(8)} ${String(value.median).padEnd(8)} ${String(value.max).padEnd(8)} ${unit}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
  say(`wrote ${options.json}`);
}
