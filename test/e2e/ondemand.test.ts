// On-demand pods (`template--NAME.sshpod`) through the configured block with the real OpenSSH
// client: a pod made for each connection and gone seconds after it; connection sharing keeps one
// pod for the master; a shared template shares one among connections; nothing is left when ssh or
// sshpod is killed; a pod that cannot start is explained (its reason, RBAC's verb), Ctrl-C while
// it is Pending leaves nothing.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eSkipReason, hasStackTrace, sshOptions, sshpodLines, startE2E, waitUntil, type E2E } from './harness.ts';

const MANAGED = 'app.kubernetes.io/managed-by=sshpod';

interface PodObject {
  metadata: { name: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec: { restartPolicy?: string; containers: Array<{ name: string; command?: string[] }> };
  status?: { phase?: string; containerStatuses?: Array<{ state?: { running?: object } }> };
}

const templates: Record<string, string> = {
  // A Pod, as kubectl takes it, with a short safeguard.
  quick: `apiVersion: v1
kind: Pod
metadata:
  annotations:
    sshpod/idle-timeout: "8"
spec:
  containers:
    - name: box
      image: busybox
`,
  // A PodTemplate whose connections share one pod.
  shared: `apiVersion: v1
kind: PodTemplate
template:
  metadata:
    labels: { team: tools }
    annotations: { sshpod/shared: "true" }
  spec:
    containers:
      - { name: main, image: busybox }
`,
  bad: `spec:
  containers:
    - name: main
      image: registry.example.com/team/nope:1.0
`,
  // No node has this label: the pod stays Pending (Unschedulable), as with a real scheduler.
  stuck: `spec:
  nodeSelector: { sshpod.test/pool: nowhere }
  containers:
    - { name: main, image: busybox }
`,
  // The template's own command runs beneath the safeguard.
  withcmd: `kind: Deployment
apiVersion: apps/v1
spec:
  template:
    spec:
      containers:
        - name: app
          image: debian
          command: [sh, -c]
          args: ['echo started > /tmp/started; exec sleep 3600']
`,
};



/** Processes whose environment has HOME=home (this suite's ssh, sshpod and guards only). */
function processesOf(home: string, match: (cmdline: string) => boolean): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!environ.includes(`HOME=${home}`)) continue;
      if (match(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('on-demand pods: template-- hostnames', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  const managed = (): PodObject[] => e.cluster.list('pods', '', MANAGED) as unknown as PodObject[];
  const ofTemplate = (name: string): PodObject[] => managed().filter((pod) => pod.metadata.labels?.['sshpod/template'] === name);
  const running = (pod: PodObject): boolean => pod.status?.phase === 'Running' && !pod.metadata.deletionTimestamp;
  const noneLeft = (name: string): Promise<true> => waitUntil(`no pod of template ${name}`, () => ofTemplate(name).length === 0 || undefined);

  before(async () => {
    e = await startE2E({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'locked' } }] });
    const dir = join(e.home, '.config', 'sshpod', 'templates');
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(templates)) writeFileSync(join(dir, `${name}.yaml`), text);
  });
  after(async () => {
    await e?.stop();
  });

  test('ssh to template--debug: a pod made for the connection, labelled, gone seconds after', async () => {
    const session = e.ssh('root@template--debug.sshpod', ['hostname; sleep 2']);
    const pod = await waitUntil('the pod running', () => ofTemplate('debug').find(running));
    const result = await session;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${pod.metadata.name}\n`, 'the session ran in that pod');
    assert.match(pod.metadata.name, /^sshpod-debug-[a-z0-9]{5}$/);
    assert.equal(pod.metadata.labels?.['app.kubernetes.io/managed-by'], 'sshpod');
    assert.equal(pod.metadata.labels?.['sshpod/template'], 'debug');
    assert.match(pod.metadata.labels?.['sshpod/owner'] ?? '', /^root_/);
    const annotations = pod.metadata.annotations ?? {};
    assert.match(annotations['sshpod/owner'] ?? '', /^root@/);
    assert.equal(annotations['sshpod/kube-user'], 'admin');
    assert.equal(annotations['sshpod/hostname'], 'template--debug.sshpod');
    assert.equal(annotations['sshpod/container'], 'debug');
    assert.equal(annotations['sshpod/idle-timeout'], '120');
    assert.ok(!Number.isNaN(Date.parse(annotations['sshpod/created-at'] ?? '')));
    assert.equal(pod.spec.restartPolicy, 'Never');
    assert.deepEqual(pod.spec.containers[0]?.command?.slice(0, 2), ['sh', '-c']);
    assert.ok(pod.spec.containers[0]?.command?.includes('sshpod-watchdog'));
    await noneLeft('debug');
    await waitUntil('its guard to end', () => processesOf(e.home, (cmd) => cmd.includes('__ondemand-guard')).length === 0 || undefined);
    // Its host key was pinned for the connection only.
    assert.ok(!readFileSync(join(e.home, '.cache', 'sshpod', 'known_hosts'), 'utf8').includes('template--debug'));
  });

  test('scp and sftp to a template-- host', async () => {
    const file = join(e.home, 'upload.txt');
    writeFileSync(file, 'to a pod of its own\n');
    const copied = await e.scp([file, 'root@template--debug.sshpod:/tmp/upload.txt']);
    assert.equal(copied.code, 0, copied.stderr);
    const listed = await e.sftp(['-b', '-', 'root@template--debug.sshpod'], { input: 'put upload.txt /tmp/put.txt\nls /tmp/put.txt\n', cwd: e.home });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /\/tmp\/put\.txt/);
    await noneLeft('debug');
  });

  test("the template's own command runs beneath the safeguard", async () => {
    const result = await e.ssh('root@template--withcmd.sshpod', ['cat /tmp/started']);
    assert.equal(result.stdout, 'started\n', result.stderr);
    await noneLeft('withcmd');
  });

  test('connection sharing: every ssh over the master lands in the same pod, which goes with the master', async () => {
    const first = await e.ssh('root@template--debug.sshpod', ['hostname'], { shared: true });
    const second = await e.ssh('root@template--debug.sshpod', ['hostname'], { shared: true });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.stdout, first.stdout, 'the same pod');
    assert.equal(ofTemplate('debug').filter(running).length, 1);
    const exit = spawnSync('ssh', ['-F', e.sshConfig, '-O', 'exit', 'root@template--debug.sshpod'], { env: e.env, encoding: 'utf8', timeout: 10_000 });
    assert.equal(exit.status, 0, exit.stderr);
    await noneLeft('debug');
  });

  test('without sharing, connections at once get a pod each', async () => {
    const results = await Promise.all([0, 1, 2].map(() => e.ssh('root@template--debug.sshpod', ['hostname; sleep 1'])));
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    assert.equal(new Set(results.map((r) => r.stdout)).size, 3, 'three pods');
    await noneLeft('debug');
  });

  test('a shared template: connections share one pod, deleted when the last one ends', async () => {
    const first = e.ssh('root@template--shared.sshpod', ['hostname; sleep 3']);
    const pod = await waitUntil('the shared pod', () => ofTemplate('shared').find(running));
    const second = e.ssh('root@template--shared.sshpod', ['hostname; sleep 1']);
    await waitUntil('two holders', () => (ofTemplate('shared')[0]?.metadata.annotations?.['sshpod/holders'] ?? '').split(' ').length === 2 || undefined);
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(a.stdout, `${pod.metadata.name}\n`);
    assert.equal(b.stdout, a.stdout, 'the same pod');
    assert.equal(pod.metadata.labels?.['team'], 'tools', "the template's labels are kept");
    await noneLeft('shared');
  });

  /** Starts `ssh HOST 'echo ready; sleep 60'` and resolves once the session runs. */
  async function openSession(host: string): Promise<ChildProcess> {
    const child = spawn('ssh', ['-F', e.sshConfig, ...sshOptions, `root@${host}`, 'echo ready; exec sleep 60'], { env: e.env, stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`ssh ended (${code})`)));
    });
    return child;
  }

  test('SIGKILL of ssh: the proxy sees its end and deletes the pod', async () => {
    const ssh = await openSession('template--debug.sshpod');
    assert.equal(ofTemplate('debug').length, 1);
    ssh.kill('SIGKILL');
    await noneLeft('debug');
  });

  test('SIGKILL of sshpod: its guard deletes the pod', async () => {
    const ssh = await openSession('template--debug.sshpod');
    const proxies = processesOf(e.home, (cmd) => cmd.includes(' proxy --host template--debug.sshpod'));
    assert.equal(proxies.length, 1, 'one proxy');
    assert.equal(processesOf(e.home, (cmd) => cmd.includes('__ondemand-guard')).length, 1, 'one guard');
    process.kill(proxies[0] as number, 'SIGKILL');
    await noneLeft('debug');
    await waitUntil('ssh to end', () => ssh.exitCode !== null || ssh.signalCode !== null || undefined);
    await waitUntil('the guard to end', () => processesOf(e.home, (cmd) => cmd.includes('__ondemand-guard')).length === 0 || undefined);
  });

  test('SIGTERM of sshpod: it deletes its pod before it exits', async () => {
    const ssh = await openSession('template--debug.sshpod');
    const [proxy] = processesOf(e.home, (cmd) => cmd.includes(' proxy --host template--debug.sshpod'));
    assert.ok(proxy, 'the proxy');
    process.kill(proxy, 'SIGTERM');
    await noneLeft('debug');
    await waitUntil('ssh to end', () => ssh.exitCode !== null || ssh.signalCode !== null || undefined);
    await waitUntil('the guard to end', () => processesOf(e.home, (cmd) => cmd.includes('__ondemand-guard')).length === 0 || undefined);
  });

  test('SIGKILL of sshpod and its guard: the safeguard ends the pod, and sshpod cleanup deletes it', async () => {
    const ssh = await openSession('template--quick.sshpod');
    const pod = await waitUntil('the pod', () => ofTemplate('quick')[0]);
    for (const pid of processesOf(e.home, (cmd) => cmd.includes('__ondemand-guard') || cmd.includes(' proxy --host template--quick.sshpod'))) process.kill(pid, 'SIGKILL');
    ssh.kill('SIGKILL');
    // No client is left: the pod's own safeguard (8 s without an ssh session) ends it.
    const ended = await waitUntil('the pod to complete', () => ofTemplate('quick').find((p) => p.status?.phase === 'Succeeded'), 60_000);
    assert.equal(ended.metadata.uid, pod.metadata.uid);
    const cleanup = await e.sshpod(['cleanup']);
    assert.equal(cleanup.code, 0, cleanup.stderr);
    assert.match(cleanup.stdout, new RegExp(`on-demand pod default/${pod.metadata.name} \\(context sshpod-test\\): deleted \\(it ended \\(completed\\)\\)`));
    assert.equal(ofTemplate('quick').length, 0);
  });

  test('a template with a bad image: ssh says why (through the configured block), and nothing is left', async () => {
    const result = await e.asPerson(['ssh', '-F', e.sshConfig, 'root@template--bad.sshpod', 'true']);
    assert.equal(result.code, 255);
    assert.ok(!hasStackTrace(result.stderr), result.stderr);
    const [message, hint] = sshpodLines(result.stderr);
    assert.match(message ?? '', /^sshpod: the pod for template "bad" \(sshpod-bad-[a-z0-9]{5} in namespace "default"\) cannot start: ErrImagePull: Failed to pull image "registry\.example\.com\/team\/nope:1\.0"/);
    assert.match(hint ?? '', /^hint: check the image of template "bad"/);
    await noneLeft('bad');
  });

  test('forbidden to create pods: the message names the verb', async () => {
    e.cluster.deny({ verb: 'create', resource: 'pods', namespace: 'locked' });
    const result = await e.ssh('root@template--debug.namespace--locked.sshpod', ['true']);
    assert.equal(result.code, 255);
    const [message, hint] = sshpodLines(result.stderr);
    assert.match(message ?? '', /^sshpod: not allowed to create pods in namespace "locked", which template--debug needs: pods is forbidden: User "admin" cannot create resource "pods"/);
    assert.match(hint ?? '', /RBAC permission to create pods in namespace "locked" \(on-demand pods need create, get, list and delete on pods/);
  });

  test('a pod that cannot be scheduled: progress while it waits, then a bounded error naming why', async () => {
    const result = await e.ssh('root@template--stuck.sshpod', ['true'], { env: { SSHPOD_POD_TIMEOUT: '3' } });
    assert.equal(result.code, 255);
    assert.match(result.stderr, /sshpod: starting a pod from template "stuck" in namespace "default" \(Ctrl-C cancels\)/);
    assert.match(result.stderr, /sshpod: waiting for a node \(Unschedulable: 0\/1 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector/);
    const [message, hint] = sshpodLines(result.stderr).filter((line) => !/^sshpod: (starting a pod|waiting for a node)/.test(line));
    assert.match(message ?? '', /^sshpod: the pod for template "stuck" \(sshpod-stuck-[a-z0-9]{5} in namespace "default"\) did not start within 3 s: waiting for a node/);
    assert.match(hint ?? '', /SSHPOD_POD_TIMEOUT/);
    await noneLeft('stuck');
  });

  test('Ctrl-C while the pod is Pending deletes it', async () => {
    // A terminal, so that Ctrl-C is the terminal's: SIGINT to ssh and sshpod alike.
    const child = spawn('script', ['-qec', `ssh -F ${e.sshConfig} root@template--stuck.sshpod true`, '/dev/null'], { env: e.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const pod = await waitUntil('the Pending pod', () => ofTemplate('stuck').find((p) => p.status?.phase === 'Pending'));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stdin.write('\x03');
    await exited;
    await noneLeft('stuck');
    assert.equal(e.cluster.get('pods', 'default', pod.metadata.name), undefined);
    assert.ok(!hasStackTrace(output), output);
  });
});
