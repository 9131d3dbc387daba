// `npm run bench -- [--runs N] [--json FILE] [--reference BINARY] [--real]`: sshpod measured on the local
// test cluster, every case from one run on this machine. Prints a table; writes a JSON summary.
// `--real` measures against the real lane's Kubernetes instead (real.ts: cold, warm, shared, api,
// scp, parallel).
//
//   cold      first `ssh … true` to a fresh pod (sshd upload included)
//   ondemand  first `ssh … true` to a template-- host: the pod made, started and waited for, sshd
//             uploaded (its deletion, after ssh returned, is not timed)
//   warm      `ssh … true` again without connection sharing (sshd running)
//   shared    `ssh … true` over the ControlMaster connection the configured block sets up
//   floor     the same `ssh … true` to the same in-pod sshd through socat in the pod's network
//             namespace: no sshpod, no Kubernetes — the cost of SSH itself
//   kubectl_exec        `kubectl exec … -- true`, what people run instead (alternating with warm)
//   warm_input          `ssh … 'cat >/dev/null'` fed 1 KiB, against `kubectl exec -i` fed the same
//   startup   process start to the proxy's first API request
//   api       one exec round trip and one port-forward open (to the first byte), with the same
//             client code the proxy uses
//   scp/raw   scp of 256 MiB up and down, against the raw port-forward moving the same bytes, and
//             against scp through the floor's relay (what SSH itself allows on this machine)
//   kubectl_cp          `kubectl cp` of the same 256 MiB up and down, alternating with scp
//   kubectl_port_forward the raw bytes through `kubectl port-forward`, alternating with raw
//   tree      rsync of a tree of 2,000 small files through sshpod (without and with the block's
//             connection sharing, and through the floor's relay) against `kubectl cp` of it; then
//             tree_update: 1 % of the files changed and copied again by each (rsync unshared)
//   parallel  32 simultaneous first connections to one fresh pod
//   memory    peak RSS of the `sshpod proxy` process during the scp transfers
//   web       the web terminal's page, plain and gzip, and `sshpod web` start to its URL (web.ts)
//   workstation  (own cluster) first `ssh … true` to template--kubectl against template--debug,
//             seconds and API requests (workstation.ts)
//   gateway   (own cluster, ~3 min) 200 sessions held through one gateway, 20 scp each way, memory
//             per session, warm `ssh … true` through the gateway against the ProxyCommand (gateway.ts)
//   exec_transport  (own cluster, after the rest) cold, warm and scp 64 MiB up and down with
//             SSHPOD_TRANSPORT=port-forward and =exec side by side (exec-transport.ts)
import { Command } from 'commander';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container, countSshdListeners, pod, run, sshOptions, startE2E, sshpodBin, type E2E } from '../e2e/harness.ts';
import { loadKubeConfig, selectContext } from '../../src/kube/kubeconfig.ts';
import { ApiConnection } from '../../src/kube/connection.ts';
import { startExec } from '../../src/kube/exec.ts';
import { openPortForward } from '../../src/kube/port-forward.ts';
import { NODE_FLAGS } from '../../src/ssh/config-block.ts';
import { round, roundSummary, summarize, type Summary } from './stats.ts';
import { peakRss } from './peak-rss.ts';
import { MiB, RAW_ENDPOINTS, TRANSFER, check, floorProxy, positive } from './common.ts';
import { receiveAll, sendAll } from './raw-transfer.ts';
import { Kubectl } from './kubectl.ts';
import { TARGETS, targetRows, type Figures } from './targets.ts';
import { changeTree, writeTree } from './tree.ts';
import { benchExecTransport } from './exec-transport.ts';
import { benchWeb } from './web.ts';
import { benchGateway } from './gateway.ts';
import { benchWorkstation } from './workstation.ts';


const options = new Command('bench')
  .option('--runs <n>', 'runs per latency case', positive, 15)
  .option('--transfer-runs <n>', 'runs per throughput case', positive, 3)
  .option('--json <file>', 'where to write the JSON summary', join(process.cwd(), 'bench-results.json'))
  .option('--reference <binary>', 'also measure this ProxyCommand program (e.g. the Rust sshpod) on the cold and warm cases')
  .option('--skip <sections>', 'comma-separated sections to leave out: exec-transport, web, workstation, gateway', (value: string) => value.split(',').map((s) => s.trim()), [] as string[])
  .option('--real', 'against a real Kubernetes (v1.20 built from Debian\'s source, test/real/cluster) instead of the stand-in')
  .parse(process.argv)
  .opts<{ runs: number; transferRuns: number; json: string; reference?: string; real?: boolean; skip: string[] }>();

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

/** Peak RSS (VmHWM) of the sshpod proxy processes seen while `action` runs, in MB. */
function peakProxyRss(action: () => Promise<unknown>): Promise<number> {
  return peakRss(`${sshpodBin}\0proxy`, action);
}

async function main(): Promise<void> {
  const coldPods = Array.from({ length: options.runs }, (_, i) => pod(`cold-${i}`, { containers: [container('main', 'busybox')] }));
  const referenceCold = options.reference ? Array.from({ length: options.runs }, (_, i) => pod(`ref-cold-${i}`, { containers: [container('main', 'busybox')] })) : [];
  say(`starting the test cluster with ${coldPods.length + referenceCold.length + 3} pods`);
  const e: E2E = await startE2E({
    objects: [
      pod('warm', { containers: [container('main', 'debian')] }),
      pod('par', { containers: [container('main', 'busybox')] }),
      pod('ref-warm', { containers: [container('main', 'busybox')] }),
      ...coldPods,
      ...referenceCold,
    ],
  });
  const work = mkdtempSync(join(tmpdir(), 'sshpod-bench-'));
  const results: Record<string, unknown> = {};
  const table: Array<[string, Summary | string, string]> = [];
  const record = (name: string, samples: number[], unit: string, digits = 3): Summary => {
    const summary = roundSummary(summarize(samples), digits);
    results[name] = { ...summary, unit };
    table.push([name, summary, unit]);
    return summary;
  };
  try {
    const ssh = (host: string, extra: string[] = []): Promise<void> =>
      e.ssh(`root@${host}`, ['true'], { sshOptions: extra }).then((r) => check(r, `ssh ${host}`));

    say('cold: first connections to fresh pods');
    const cold = record('cold', await sample(options.runs, (i) => ssh(`pod--cold-${i}.sshpod`)), 's');

    say('ondemand: first connections to template--debug.sshpod (pod start included)');
    const managed = (): number => e.cluster.list('pods', '', 'app.kubernetes.io/managed-by=sshpod').length;
    const ondemand: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      ondemand.push(await seconds(() => ssh('template--debug.sshpod')));
      // Each run starts with no pod of the last one still going away (not timed).
      for (let wait = 0; managed() > 0 && wait < 200; wait++) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const onDemandSummary = record('ondemand', ondemand, 's');

    say('shared: connections over the ControlMaster connection');
    check(await e.ssh('root@pod--warm.sshpod', ['true'], { shared: true }), 'ssh (master)');
    const shared = record('shared', await sample(options.runs, () => e.ssh('root@pod--warm.sshpod', ['true'], { shared: true }).then((r) => check(r, 'ssh (shared)'))), 's');

    // warm and floor alternate, run by run, so that both see the machine in the same state.
    say('warm and floor: the same ssh to the same sshd, through sshpod and through socat in the pod network namespace');
    await ssh('pod--warm.sshpod');
    const port = (await e.podShell('default', 'warm', 'main', 'cat /tmp/sshpod/*/main/port')).trim();
    const netns = e.cluster.podNetnsPath('default', 'warm');
    const floorRelay = floorProxy(netns, port);
    await ssh('pod--warm.sshpod', ['-o', floorRelay]);
    const kubectl = new Kubectl(e.env);
    const warmPod = { namespace: 'default', pod: 'warm', container: 'main' };
    const kibibyte = randomBytes(1024);
    const sshWithInput = (): Promise<void> =>
      e.ssh('root@pod--warm.sshpod', ['cat >/dev/null'], { input: kibibyte }).then((r) => check(r, 'ssh with 1 KiB'));
    await kubectl.exec(warmPod, ['true']);
    const warmSamples: number[] = [];
    const floorSamples: number[] = [];
    const kubectlExecSamples: number[] = [];
    const warmInputSamples: number[] = [];
    const kubectlInputSamples: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      warmSamples.push(await seconds(() => ssh('pod--warm.sshpod')));
      floorSamples.push(await seconds(() => ssh('pod--warm.sshpod', ['-o', floorRelay])));
      kubectlExecSamples.push(await seconds(() => kubectl.exec(warmPod, ['true'])));
      warmInputSamples.push(await seconds(sshWithInput));
      kubectlInputSamples.push(await seconds(() => kubectl.exec(warmPod, ['sh', '-c', 'cat >/dev/null'], kibibyte)));
    }
    const warm = record('warm', warmSamples, 's');
    const floor = record('floor', floorSamples, 's');
    const kubectlExec = record('kubectl_exec', kubectlExecSamples, 's');
    const warmInput = record('warm_input', warmInputSamples, 's');
    const kubectlInput = record('kubectl_exec_input', kubectlInputSamples, 's');

    say('startup: process start to the first API request');
    const startup: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      e.cluster.clearRequests();
      const started = Date.now();
      await new Promise<void>((resolve) => {
        // The same command line as the configured ProxyCommand.
        const child = spawn(process.execPath, [...NODE_FLAGS, sshpodBin, 'proxy', '--host', 'pod--warm.sshpod', '--user', 'root'], { env: e.env, stdio: ['ignore', 'ignore', 'ignore'] });
        child.on('exit', () => resolve());
      });
      const first = e.cluster.requests()[0];
      if (first) startup.push((first.time - started) / 1000);
    }
    record('startup', startup, 's');

    say('api: one exec round trip, one port-forward to its first byte');
    process.env['KUBECONFIG'] = e.env['KUBECONFIG'];
    process.env['HOME'] = e.home;
    const selected = selectContext(loadKubeConfig(), undefined);
    record(
      'api_exec',
      await sample(options.runs, async () => {
        const connection = await ApiConnection.open(selected);
        const session = await startExec(connection, { namespace: 'default', pod: 'warm', container: 'main', command: ['true'], stdin: false });
        await session.result;
        connection.close();
      }),
      's',
    );
    record(
      'api_portforward',
      await sample(options.runs, async () => {
        const connection = await ApiConnection.open(selected);
        const stream = await openPortForward(connection, { namespace: 'default', pod: 'warm', port: Number(port) });
        await new Promise((resolve) => stream.once('data', resolve));
        stream.destroy();
        connection.close();
      }),
      's',
    );

    say(`throughput: scp against kubectl cp, and the raw port-forward against kubectl port-forward, ${TRANSFER / MiB} MiB each way`);
    const file = join(work, 'payload.bin');
    writeFileSync(file, randomBytes(TRANSFER));
    const mibPerSecond = (secondsTaken: number): number => TRANSFER / MiB / secondsTaken;
    let peakRss = 0;
    const up: number[] = [];
    const down: number[] = [];
    const kubectlUp: number[] = [];
    const kubectlDown: number[] = [];
    for (let i = 0; i < options.transferRuns; i++) {
      peakRss = Math.max(
        peakRss,
        await peakProxyRss(async () => up.push(mibPerSecond(await seconds(async () => check(await e.scp([file, 'root@pod--warm.sshpod:/tmp/payload.bin']), 'scp up'))))),
      );
      kubectlUp.push(mibPerSecond(await seconds(() => kubectl.cp(file, 'default/warm:/tmp/payload-kubectl.bin', 'main'))));
      peakRss = Math.max(
        peakRss,
        await peakProxyRss(async () => down.push(mibPerSecond(await seconds(async () => check(await e.scp(['root@pod--warm.sshpod:/tmp/payload.bin', join(work, 'back.bin')]), 'scp down'))))),
      );
      kubectlDown.push(mibPerSecond(await seconds(() => kubectl.cp('default/warm:/tmp/payload-kubectl.bin', join(work, 'back-kubectl.bin'), 'main'))));
    }
    const scpUp = record('scp_up', up, 'MiB/s', 1);
    const scpDown = record('scp_down', down, 'MiB/s', 1);
    const kubectlCpUp = record('kubectl_cp_up', kubectlUp, 'MiB/s', 1);
    const kubectlCpDown = record('kubectl_cp_down', kubectlDown, 'MiB/s', 1);
    const memory = record('memory', [peakRss], 'MB', 1);

    // For scale: the same scp to the same sshd without sshpod or Kubernetes (the floor's relay).
    const floorUp: number[] = [];
    const floorDown: number[] = [];
    for (let i = 0; i < options.transferRuns; i++) {
      floorUp.push(mibPerSecond(await seconds(async () => check(await e.scp(['-o', floorRelay, file, 'root@pod--warm.sshpod:/tmp/payload-floor.bin']), 'scp up (floor)'))));
      floorDown.push(mibPerSecond(await seconds(async () => check(await e.scp(['-o', floorRelay, 'root@pod--warm.sshpod:/tmp/payload-floor.bin', join(work, 'back.bin')]), 'scp down (floor)'))));
    }
    record('scp_floor_up', floorUp, 'MiB/s', 1);
    record('scp_floor_down', floorDown, 'MiB/s', 1);

    check(
      await e.ssh('root@pod--warm.sshpod', [RAW_ENDPOINTS]),
      'start socat in the pod',
    );
    const chunk = readFileSync(file);
    const rawUp: number[] = [];
    const rawDown: number[] = [];
    const forwardUp: number[] = [];
    const forwardDown: number[] = [];
    const forward = await kubectl.portForward(warmPod, [7001, 7002]);
    for (let i = 0; i < options.transferRuns; i++) {
      const connection = await ApiConnection.open(selected);
      rawUp.push(
        mibPerSecond(
          await seconds(async () => {
            const stream = await openPortForward(connection, { namespace: 'default', pod: 'warm', port: 7001 });
            await sendAll(stream, chunk);
            stream.destroy();
          }),
        ),
      );
      rawDown.push(
        mibPerSecond(
          await seconds(async () => {
            const stream = await openPortForward(connection, { namespace: 'default', pod: 'warm', port: 7002 });
            await receiveAll(stream, TRANSFER);
            stream.destroy();
          }),
        ),
      );
      connection.close();
      forwardUp.push(mibPerSecond(await seconds(async () => sendAll(await forward.open(7001), chunk))));
      forwardDown.push(
        mibPerSecond(
          await seconds(async () => {
            const socket = await forward.open(7002);
            await receiveAll(socket, TRANSFER);
            socket.destroy();
          }),
        ),
      );
    }
    forward.close();
    const rawUpSummary = record('raw_up', rawUp, 'MiB/s', 1);
    const rawDownSummary = record('raw_down', rawDown, 'MiB/s', 1);
    const forwardUpSummary = record('kubectl_port_forward_up', forwardUp, 'MiB/s', 1);
    const forwardDownSummary = record('kubectl_port_forward_down', forwardDown, 'MiB/s', 1);

    say('tree: rsync of 2,000 small files through sshpod against kubectl cp of the same tree');
    const tree = join(work, 'tree');
    writeTree(tree, 2000);
    // rsync as a person runs it with the configured block: without sharing (a connection per run,
    // as the warm case), over the block's shared connection, and through the floor's relay.
    const rsh = (extra: string[] = []): string => ['ssh', '-F', e.sshConfig, ...extra].map((word) => `'${word}'`).join(' ');
    const unsharedRsh = rsh(sshOptions);
    const sharedRsh = rsh(['-o', 'BatchMode=yes']);
    const floorRsh = rsh([...sshOptions, '-o', floorRelay]);
    const rsync = (shell: string, destination: string): Promise<void> =>
      run('rsync', ['-a', '-e', shell, `${tree}/`, `root@pod--warm.sshpod:${destination}/`], { env: e.env }).then((r) => check(r, `rsync of the tree to ${destination}`));
    const treeSamples: number[] = [];
    const treeSharedSamples: number[] = [];
    const treeFloorSamples: number[] = [];
    const kubectlTreeSamples: number[] = [];
    const treeUpdateSamples: number[] = [];
    const kubectlTreeUpdateSamples: number[] = [];
    check(await e.ssh('root@pod--warm.sshpod', ['true'], { shared: true }), 'ssh (the master for rsync)');
    const destinations = ['/tmp/tree-rsync', '/tmp/tree-shared', '/tmp/tree-floor', '/tmp/tree-kubectl'];
    for (let i = 0; i < options.transferRuns; i++) {
      // Each copy lands in an empty directory (cleared untimed), so every one moves every file.
      await e.podShell('default', 'warm', 'main', `rm -rf ${destinations.join(' ')}`);
      treeSamples.push(await seconds(() => rsync(unsharedRsh, '/tmp/tree-rsync')));
      treeSharedSamples.push(await seconds(() => rsync(sharedRsh, '/tmp/tree-shared')));
      treeFloorSamples.push(await seconds(() => rsync(floorRsh, '/tmp/tree-floor')));
      kubectlTreeSamples.push(await seconds(() => kubectl.cp(tree, 'default/warm:/tmp/tree-kubectl', 'main')));
      // Then what people do next: change 1 % of the files and copy again. rsync moves only those;
      // kubectl cp has no notion of what is there and moves the whole tree again.
      changeTree(tree, 2000, 100);
      treeUpdateSamples.push(await seconds(() => rsync(unsharedRsh, '/tmp/tree-rsync')));
      // kubectl cp into an existing directory nests the tree inside it: people clear it first.
      await e.podShell('default', 'warm', 'main', 'rm -rf /tmp/tree-kubectl');
      kubectlTreeUpdateSamples.push(await seconds(() => kubectl.cp(tree, 'default/warm:/tmp/tree-kubectl', 'main')));
    }
    const counted = (await e.podShell('default', 'warm', 'main', destinations.map((d) => `find ${d} -type f | wc -l`).join('; '))).trim().split(/\s+/);
    if (counted.some((count) => count !== '2000')) throw new Error(`the tree copies hold ${counted.join(', ')} files, not 2000 each`);
    const treeSummary = record('tree_rsync', treeSamples, 's');
    const treeShared = record('tree_rsync_shared', treeSharedSamples, 's');
    record('tree_rsync_floor', treeFloorSamples, 's');
    const kubectlTree = record('tree_kubectl_cp', kubectlTreeSamples, 's');
    const treeUpdate = record('tree_update_rsync', treeUpdateSamples, 's');
    const kubectlTreeUpdate = record('tree_update_kubectl_cp', kubectlTreeUpdateSamples, 's');

    say('parallel: 32 simultaneous first connections to one fresh pod');
    let successes = 0;
    const total = await seconds(async () => {
      const all = await Promise.all(Array.from({ length: 32 }, () => e.ssh('root@pod--par.sshpod', ['true'])));
      successes = all.filter((r) => r.code === 0).length;
      // A failure must be explainable from the output alone.
      for (const failure of new Set(all.filter((r) => r.code !== 0).map((r) => `exit ${r.code}: ${r.stderr.trim()}`))) say(`parallel: a connection failed, ${failure}`);
    });
    const sshds = Number((await e.podShell('default', 'par', 'main', countSshdListeners)).trim());
    results['parallel'] = { connections: 32, succeeded: successes, seconds: round(total), sshd: sshds };
    table.push(['parallel', `${successes}/32 in ${round(total, 2)} s, ${sshds} sshd`, '']);

    if (options.reference) {
      say(`reference: ${options.reference} on the cold and warm cases`);
      const referenceProxy = `ProxyCommand=${options.reference} proxy --host %h --user %r --port %p`;
      const referenceOptions = ['-o', referenceProxy, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null'];
      record('reference_cold', await sample(options.runs, (i) => ssh(`pod--ref-cold-${i}.sshpod`, referenceOptions)), 's');
      await ssh('pod--ref-warm.sshpod', referenceOptions);
      record('reference_warm', await sample(options.runs, () => ssh('pod--ref-warm.sshpod', referenceOptions)), 's');
    }

    results['warm_over_floor'] = round(warm.median / floor.median, 2);
    results['cold_over_floor'] = round(cold.median / floor.median, 2);
    results['ondemand_over_cold'] = round(onDemandSummary.median / cold.median, 2);
    results['scp_over_raw_up'] = round(scpUp.median / rawUpSummary.median, 2);
    results['scp_over_raw_down'] = round(scpDown.median / rawDownSummary.median, 2);
    // Against kubectl: times as sshpod over kubectl (below 1 is faster), throughputs as sshpod
    // over kubectl (above 1 is faster).
    results['warm_over_kubectl_exec'] = round(warm.median / kubectlExec.median, 2);
    results['warm_input_over_kubectl_exec_input'] = round(warmInput.median / kubectlInput.median, 2);
    results['shared_over_kubectl_exec'] = round(shared.median / kubectlExec.median, 3);
    results['scp_over_kubectl_cp_up'] = round(scpUp.median / kubectlCpUp.median, 2);
    results['scp_over_kubectl_cp_down'] = round(scpDown.median / kubectlCpDown.median, 2);
    results['scp_over_kubectl_cp'] = Math.min(results['scp_over_kubectl_cp_up'] as number, results['scp_over_kubectl_cp_down'] as number);
    results['raw_over_kubectl_port_forward_up'] = round(rawUpSummary.median / forwardUpSummary.median, 2);
    results['raw_over_kubectl_port_forward_down'] = round(rawDownSummary.median / forwardDownSummary.median, 2);
    results['tree_over_kubectl_cp'] = round(treeSummary.median / kubectlTree.median, 2);
    results['tree_shared_over_kubectl_cp'] = round(treeShared.median / kubectlTree.median, 2);
    results['tree_update_over_kubectl_cp'] = round(treeUpdate.median / kubectlTreeUpdate.median, 2);
    const figures: Figures = {
      cold_over_floor: results['cold_over_floor'] as number,
      warm_over_floor: results['warm_over_floor'] as number,
      shared_over_kubectl_exec: results['shared_over_kubectl_exec'] as number,
      scp_over_kubectl_cp: results['scp_over_kubectl_cp'] as number,
      tree_over_kubectl_cp: results['tree_over_kubectl_cp'] as number,
      memory: memory.median,
    };
    results['targets'] = Object.fromEntries(targetRows(figures).map((row) => [row.name, { value: row.value, target: row.target, met: row.met }]));
    results['machine'] = { cpus: (await import('node:os')).cpus().length, node: process.version, runs: options.runs };
  } finally {
    await e.stop();
    rmSync(work, { recursive: true, force: true });
  }

  if (!options.skip.includes('web')) {
    say('web: the page\'s weight and sshpod web\'s start-up');
    const web = await benchWeb({ runs: Math.min(options.runs, 5) });
    results['web'] = web;
    table.push(['web', `page ${Math.round(web.pageBytes / 1024)} KiB, ${Math.round(web.pageGzipBytes / 1024)} KiB gzip; start to URL ${Math.round(web.startupMs)} ms (median)`, '']);
  }

  if (!options.skip.includes('workstation')) {
    say('workstation: first connection to template--kubectl against template--debug');
    const row = await benchWorkstation({ runs: Math.min(options.runs, 5) });
    results['workstation'] = row;
    table.push(['workstation', `template--kubectl ${round(row.kubectlSeconds)} s, ${row.kubectlRequests} API requests; template--debug ${round(row.debugSeconds)} s, ${row.debugRequests} (medians)`, '']);
  }

  if (!options.skip.includes('gateway')) {
    say('gateway: 200 sessions and 20 scp each way through one gateway');
    const row = await benchGateway({ runs: Math.min(options.runs, 9) });
    results['gateway'] = row;
    table.push(['gateway', `${row.sessions} sessions: ${round(row.gatewayRssBeforeMiB, 1)} → ${round(row.gatewayRssWithSessionsMiB, 1)} MiB (${Math.round(row.memoryPerSessionKiB)} KiB each), peak ${round(row.gatewayPeakRssMiB, 1)} MiB; warm ${round(row.gatewaySeconds)} s against ${round(row.directSeconds)} s direct`, '']);
  }

  if (!options.skip.includes('exec-transport')) {
    // Its own cluster (pods on both transports), after the rest so it cannot disturb them.
    say('exec_transport: port-forward and exec side by side (cold, warm, scp 64 MiB)');
    const rows = await benchExecTransport({ runs: Math.min(options.runs, 5), megabytes: 64 });
    for (const row of rows) {
      const name = row.transport === 'exec' ? 'exec_transport' : 'port_forward_transport';
      results[name] = { cold_s: round(row.coldSeconds), warm_s: round(row.warmSeconds), scp_up_MiBps: round(row.scpUpMiBps, 1), scp_down_MiBps: round(row.scpDownMiBps, 1) };
      table.push([name, `cold ${round(row.coldSeconds)} s, warm ${round(row.warmSeconds)} s, scp up ${round(row.scpUpMiBps, 1)} down ${round(row.scpDownMiBps, 1)} MiB/s (medians)`, '']);
    }
    const [forward, exec] = [rows.find((r) => r.transport === 'port-forward'), rows.find((r) => r.transport === 'exec')];
    if (forward && exec) {
      results['exec_over_port_forward_warm'] = round(exec.warmSeconds / forward.warmSeconds, 2);
      results['exec_over_port_forward_scp_up'] = round(exec.scpUpMiBps / forward.scpUpMiBps, 2);
      results['exec_over_port_forward_scp_down'] = round(exec.scpDownMiBps / forward.scpDownMiBps, 2);
    }
  }

  const lines = [`${'case'.padEnd(26)} min      median   max      unit`];
  for (const [name, value, unit] of table) {
    lines.push(typeof value === 'string' ? `${name.padEnd(26)} ${value}` : `${name.padEnd(26)} ${String(value.min).padEnd(8)} ${String(value.median).padEnd(8)} ${String(value.max).padEnd(8)} ${unit}`);
  }
  const ratios = [
    'warm_over_floor',
    'cold_over_floor',
    'ondemand_over_cold',
    'scp_over_raw_up',
    'scp_over_raw_down',
    'warm_over_kubectl_exec',
    'warm_input_over_kubectl_exec_input',
    'shared_over_kubectl_exec',
    'scp_over_kubectl_cp_up',
    'scp_over_kubectl_cp_down',
    'scp_over_kubectl_cp',
    'raw_over_kubectl_port_forward_up',
    'raw_over_kubectl_port_forward_down',
    'tree_over_kubectl_cp',
    'tree_shared_over_kubectl_cp',
    'tree_update_over_kubectl_cp',
    'exec_over_port_forward_warm',
    'exec_over_port_forward_scp_up',
    'exec_over_port_forward_scp_down',
  ];
  for (const ratio of ratios.filter((name) => name in results)) lines.push(`${ratio.padEnd(36)} ${String(results[ratio])}`);
  const targets = results['targets'] as Record<string, { value: number; target: string; met: boolean }> | undefined;
  if (targets) {
    lines.push(`targets (${TARGETS.length}):`);
    for (const [name, row] of Object.entries(targets)) lines.push(`  ${name.padEnd(26)} ${String(row.value).padEnd(8)} ${row.target.padEnd(8)} ${row.met ? 'met' : 'NOT met'}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
  say(`wrote ${options.json}`);
}

const benchmark = options.real ? (): Promise<void> => import('./real.ts').then((m) => m.benchReal(options)) : main;
benchmark().catch((error: unknown) => {
  say(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
