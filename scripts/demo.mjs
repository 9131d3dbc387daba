#!/usr/bin/env node
// `npm run demo`: the main job on the embedded default. Prepares what is missing (Debian
// packages, the build), starts the local test cluster with a debian pod, a busybox pod and a
// deployment, configures an isolated ssh setup, shows ssh and scp into pods through sshpod,
// then tears everything down.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

function fail(message) {
  console.error(`demo: ${message}`);
  process.exit(1);
}

if (process.platform !== 'linux' || process.getuid?.() !== 0) {
  fail(
    `the local test cluster runs real containers (Linux namespaces, mounts, cgroups), so the demo needs root on Linux; this is ${
      process.platform !== 'linux' ? process.platform : 'not root'
    }. Run it as root (e.g. sudo npm run demo) or in a Linux VM.`,
  );
}

function step(title) {
  console.log(`\n${bold(`== ${title}`)}`);
}

function must(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed`);
}

step('preparing: Debian packages for the test cluster, and the build');
must('sh', ['scripts/install-host-deps.sh']);
must(process.execPath, ['scripts/build.mjs']);

const work = mkdtempSync(join(tmpdir(), 'sshpod-demo-'));
const home = join(work, 'home');
const kubeconfig = join(work, 'kubeconfig');
const env = { ...process.env, HOME: home, KUBECONFIG: kubeconfig };
delete env.SSH_AUTH_SOCK;

step('starting the local test cluster (a Kubernetes API server and real containers)');
const cluster = spawn(process.execPath, ['--import', 'tsx', 'test/cluster/main.ts', '--kubeconfig', kubeconfig, '--manifest', 'scripts/demo-cluster.yaml', '--no-install'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
let clusterExited = false;
cluster.on('exit', () => (clusterExited = true));

async function teardown() {
  if (!clusterExited) {
    cluster.kill('SIGTERM');
    await new Promise((resolve) => cluster.once('exit', resolve));
  }
  const controlDir = join(home, '.cache', 'sshpod', 'cm');
  if (existsSync(controlDir)) spawnSync('sh', ['-c', `for s in "${controlDir}"/*; do [ -S "$s" ] && ssh -F "${join(home, '.ssh', 'config')}" -o ControlPath="$s" -O exit x.sshpod; done`], { stdio: 'ignore', env });
  rmSync(work, { recursive: true, force: true });
}

process.on('SIGINT', () => void teardown().then(() => process.exit(130)));

try {
  for (let i = 0; i < 600 && !existsSync(kubeconfig); i++) {
    if (clusterExited) fail('the test cluster stopped before it was ready (see above)');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!existsSync(kubeconfig)) fail('the test cluster did not become ready in 60 s');

  step('sshpod configure: the Host *.sshpod block in an isolated ~/.ssh/config');
  must(process.execPath, ['bin/sshpod.cjs', 'configure', '--yes'], { env });
  console.log(readFileSync(join(home, '.ssh', 'config'), 'utf8'));

  const ssh = ['-F', join(home, '.ssh', 'config'), '-o', 'BatchMode=yes'];
  const show = (title, command, args) => {
    console.log(`\n$ ${title}`);
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { env, encoding: 'utf8' });
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`(exit ${result.status}, ${ms.toFixed(0)} ms)`);
    if (result.status !== 0) throw new Error(`${title} failed`);
    return result.stdout;
  };

  step('ssh into a debian pod: the first connection installs sshd, the second reuses it');
  show("ssh root@pod--api.namespace--shop.sshpod 'grep PRETTY /etc/os-release; echo $GREETING'", 'ssh', [...ssh, 'root@pod--api.namespace--shop.sshpod', 'grep PRETTY /etc/os-release; echo "$GREETING"']);
  show("ssh root@pod--api.namespace--shop.sshpod 'uptime'", 'ssh', [...ssh, 'root@pod--api.namespace--shop.sshpod', 'uptime']);

  step('ssh into a busybox pod and into a deployment');
  show("ssh root@pod--tools.sshpod 'busybox | head -1'", 'ssh', [...ssh, 'root@pod--tools.sshpod', 'busybox | head -1']);
  show("ssh root@deployment--web.namespace--shop.sshpod hostname", 'ssh', [...ssh, 'root@deployment--web.namespace--shop.sshpod', 'hostname']);

  step('scp a 10 MiB file up and back down');
  const file = join(work, 'payload.bin');
  const data = randomBytes(10 * 1024 * 1024);
  writeFileSync(file, data);
  show(`scp payload.bin root@pod--api.namespace--shop.sshpod:/tmp/`, 'scp', [...ssh, file, 'root@pod--api.namespace--shop.sshpod:/tmp/payload.bin']);
  show(`scp root@pod--api.namespace--shop.sshpod:/tmp/payload.bin back.bin`, 'scp', [...ssh, 'root@pod--api.namespace--shop.sshpod:/tmp/payload.bin', join(work, 'back.bin')]);
  const same = createHash('sha256').update(readFileSync(join(work, 'back.bin'))).digest('hex') === createHash('sha256').update(data).digest('hex');
  if (!same) throw new Error('the file came back different');
  console.log('sha256 of the round trip matches');

  step('done: tearing down');
  await teardown();
  console.log('demo: all steps worked');
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  await teardown();
  process.exit(1);
}
