#!/usr/bin/env node
// `npm run test:real`: the end-to-end lane against a real Kubernetes. Installs what it needs
// (scripts/install-host-deps.sh --real-k8s), builds sshpod, builds kube-apiserver/kubelet/
// kube-controller-manager v1.20.2 from Debian's source and the lane's images once (cached in
// $SSHPOD_REAL_CACHE, default /var/cache/sshpod-real-k8s), starts the single-node cluster on
// 127.0.0.1, runs test/real/*.test.ts against it, and stops everything it started — also when a
// suite fails or the run is interrupted. Prints how long each step took. Extra arguments are
// test files (default: every test/real/*.test.ts).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runDir = process.env.SSHPOD_REAL_RUN_DIR ?? '/run/sshpod-real-k8s';
const timings = [];

function step(name, fn) {
  const started = Date.now();
  const result = fn();
  timings.push([name, (Date.now() - started) / 1000]);
  return result;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`test:real: '${[cmd, ...args].join(' ')}' failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

function report() {
  console.error('test:real timings: ' + timings.map(([name, s]) => `${name} ${s.toFixed(0)} s`).join(', '));
}

if (process.platform !== 'linux' || process.getuid?.() !== 0) {
  console.error('test:real: the real Kubernetes lane needs root on Linux (it runs containerd, kubelet, mounts, cgroups)');
  process.exit(1);
}

step('install', () => run('sh', ['scripts/install-host-deps.sh', '--real-k8s']));
step('build sshpod', () => run(process.execPath, ['scripts/build.mjs']));
step('build kubernetes', () => run('bash', ['test/real/cluster/build-kubernetes.sh']));
step('build images', () => run('bash', ['test/real/cluster/build-images.sh']));

const files = process.argv.slice(2).length > 0
  ? process.argv.slice(2)
  : readdirSync(join(root, 'test', 'real')).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join('test', 'real', f));

const clusterStarted = Date.now();
const cluster = spawn(process.execPath, ['--import', 'tsx', 'test/real/cluster/main.ts', '--run-dir', runDir], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
let clusterExited = false;
const clusterExit = new Promise((resolve) => cluster.on('exit', (code) => ((clusterExited = true), resolve(code))));

async function stopCluster() {
  if (clusterExited) return;
  const started = Date.now();
  cluster.kill('SIGTERM');
  await clusterExit;
  timings.push(['stop', (Date.now() - started) / 1000]);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    interrupted = true;
    void stopCluster().then(() => process.exit(130));
  });
}

const ready = join(runDir, 'ready.json');
while (!existsSync(ready) && !clusterExited) await new Promise((resolve) => setTimeout(resolve, 250));
if (!existsSync(ready)) {
  console.error('test:real: the real cluster did not start (its components\' logs are in the cache\'s logs/ directory)');
  report();
  process.exit(1);
}
timings.push(['start cluster', (Date.now() - clusterStarted) / 1000]);

const testsStarted = Date.now();
const tests = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SSHPOD_REAL_CLUSTER: ready },
});
const status = await new Promise((resolve) => tests.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
timings.push(['suites', (Date.now() - testsStarted) / 1000]);
await stopCluster();
report();
if (!interrupted) process.exit(status);
