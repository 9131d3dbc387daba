// Containers without a shell (distroless, scratch): sshpod adds an ephemeral container that shares
// the target's process namespace, runs sshd there, and sessions land in the target's view — its
// files (chroot into /proc/<pid>/root), its environment, its working directory. Real ssh, scp,
// sftp and a forwarded port through the block `sshpod configure` wrote; the ephemeral container
// is reused, never added twice; refusals (RBAC, the feature off, an image that cannot be pulled,
// another login name) are messages.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { container, e2eSkipReason, hasStackTrace, pod, run, sshOptions, sshpodLines, startE2E, type E2E } from './harness.ts';
import type { Pod } from '../cluster/api/types.ts';
import { execWithClientNode } from '../cluster/compat/helpers.ts';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const distroless = 'gcr.io/distroless/distroless:nonroot';

/** A distroless pod; with `web`, a sidecar that answers on 127.0.0.1:8080 of the pod. */
function distrolessPod(name: string, web = false, env: Array<{ name: string; value: string }> = [], workingDir = '/srv'): object {
  const main = container('main', distroless, { workingDir, env: [{ name: 'APP_MODE', value: 'production' }, ...env] });
  const sidecar = container('web', 'busybox', { command: ['sh', '-c', 'while :; do nc -l -p 8080 -e echo hello-from-8080; done'] });
  return pod(name, { containers: web ? [main, sidecar] : [main] });
}

describe('a container without a shell, through an ephemeral container', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  let work: string;
  before(async () => {
    e = await startE2E({
      objects: [
        distrolessPod('app', true),
        distrolessPod('denied'),
        distrolessPod('off'),
        distrolessPod('unpullable'),
        distrolessPod('viaexec'),
        distrolessPod('tools'),
        pod('nonroot', { containers: [container('main', distroless, { securityContext: { runAsUser: 65532 }, env: [{ name: 'APP_MODE', value: 'production' }] })] }),
        // Variables that would make root's sessions run code of the target's choosing (its process
        // can rewrite /proc/1/environ, its own memory; here the spec sets them, to the same effect),
        // a PATH with directories anyone can write to, and a working directory anyone can write to.
        distrolessPod(
          'raced',
          false,
          [
            { name: 'LD_PRELOAD', value: '/tmp/evil/evil.so' },
            { name: 'ENV', value: '/tmp/evil/rc' },
            { name: 'PATH', value: '.:bin:/tmp/evil/bin:/usr/bin:/bin' },
          ],
          '/tmp',
        ),
      ],
    });
    work = mkdtempSync(join(tmpdir(), 'sshpod-distroless-'));
  });
  after(async () => {
    await e?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const host = 'container--main.pod--app.sshpod';
  const ephemeral = (name: string): string[] => ((e.cluster.get('pods', 'default', name) as Pod).spec.ephemeralContainers ?? []).map((c) => c.name);

  test('ssh: the session is in the target view (files, environment, working directory), exit status passed', async () => {
    const result = await e.ssh(`root@${host}`, ['pwd; echo "mode=$APP_MODE"; ls /; cat /etc/passwd; exit 5'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(result.code, 5, result.stderr);
    const [pwd, mode] = result.stdout.split('\n');
    assert.equal(pwd, '/srv');
    assert.equal(mode, 'mode=production');
    assert.match(result.stdout, /^sleeper$/m, 'the distroless root, not the debug image');
    assert.match(result.stdout, /^nonroot:/m, "the target's /etc/passwd");
    assert.doesNotMatch(result.stdout, /^busybox$/m);
    assert.match(result.stderr, /has no shell: its view through an ephemeral container/);
    assert.match(result.stderr, /adding ephemeral container sshpod-main \(image busybox:1\.36\)/);
    assert.ok(!hasStackTrace(result.stderr));
    assert.deepEqual(ephemeral('app'), ['sshpod-main']);
    const spec = (e.cluster.get('pods', 'default', 'app') as Pod).spec.ephemeralContainers?.[0];
    assert.equal(spec?.targetContainerName, 'main');
    // SYS_PTRACE, for targets of another user (next test); the test cluster does not model capabilities.
    assert.deepEqual(spec?.securityContext, { capabilities: { add: ['SYS_PTRACE'] } });
  });

  test('a target that runs as another user (distroless :nonroot): its view all the same', async () => {
    const result = await e.ssh('root@pod--nonroot.sshpod', ['ls /; grep "^Uid:" /proc/1/status; echo "mode=$APP_MODE"']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^sleeper$/m);
    assert.match(result.stdout, /^Uid:\s+65532\s/m);
    assert.match(result.stdout, /^mode=production$/m);
  });

  test('scp and sftp reach the target files', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 3);
    writeFileSync(join(work, 'up.bin'), data);
    const up = await e.scp([join(work, 'up.bin'), `root@${host}:/tmp/up.bin`]);
    assert.equal(up.code, 0, up.stderr);
    // Seen from the debug container, the file is in the target's root filesystem.
    const there = await e.podShell('default', 'app', 'sshpod-main', 'sha256sum /proc/1/root/tmp/up.bin; test -e /tmp/up.bin && echo also-in-debug-root || echo not-in-debug-root');
    assert.equal(there.split(' ')[0], sha256(data));
    assert.match(there, /not-in-debug-root/);
    const down = await e.scp([`root@${host}:/sleeper`, join(work, 'sleeper')]);
    assert.equal(down.code, 0, down.stderr);
    assert.ok(readFileSync(join(work, 'sleeper')).subarray(0, 4).equals(Buffer.from('\x7fELF')));
    const batch = join(work, 'batch');
    writeFileSync(batch, `cd /etc\nls\nget passwd ${join(work, 'passwd')}\n`);
    const sftp = await e.sftp(['-b', batch, `root@${host}`]);
    assert.equal(sftp.code, 0, sftp.stderr);
    assert.match(readFileSync(join(work, 'passwd'), 'utf8'), /^nonroot:/m);
  });

  test('-W and -L reach the pod ports', async () => {
    const stdio = await e.ssh(`root@${host}`, [], { sshOptions: ['-W', '127.0.0.1:8080'] });
    assert.equal(stdio.stdout, 'hello-from-8080\n', stdio.stderr);

    const localPort = 20000 + Math.floor(Math.random() * 10000);
    const ssh = spawn('ssh', ['-F', e.sshConfig, '-o', 'BatchMode=yes', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${localPort}:127.0.0.1:8080`, `root@${host}`, 'echo forwarding; sleep 20'], { env: e.env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        ssh.stdout.once('data', () => resolve());
        ssh.once('exit', (code) => reject(new Error(`ssh -L exited ${code}`)));
      });
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(localPort, '127.0.0.1');
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      assert.equal(answer, 'hello-from-8080\n');
    } finally {
      ssh.kill();
    }
  });

  test('later connections reuse the ephemeral container, also on the cold path', async () => {
    for (let i = 0; i < 2; i++) {
      rmSync(join(e.home, '.cache', 'sshpod', 'targets'), { recursive: true, force: true });
      const result = await e.ssh(`root@${host}`, ['echo again'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
      assert.equal(result.stdout, 'again\n', result.stderr);
      assert.match(result.stderr, /reusing ephemeral container sshpod-main/);
    }
    const warm = await e.ssh(`root@${host}`, ['echo warm'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(warm.stdout, 'warm\n', warm.stderr);
    assert.match(warm.stderr, /remembered sshd answered with its install id/);
    assert.deepEqual(ephemeral('app'), ['sshpod-main']);
  });

  test('another login name: sessions there run as root, and the message says so', async () => {
    const result = await e.ssh(`nonroot@${host}`, ['true']);
    assert.equal(result.code, 255);
    const [message, hint] = sshpodLines(result.stderr);
    assert.equal(message, `sshpod: sessions in the view of container "main" of pod "app" run as root: it has no shell, and sshpod's ephemeral container gives its view`);
    assert.equal(hint, `hint: ssh root@${host}`);
  });

  test('the exec transport works there too', async () => {
    const result = await e.ssh('root@pod--viaexec.sshpod', ['ls /; exit 3'], { env: { SSHPOD_TRANSPORT: 'exec' } });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stdout, /^sleeper$/m);
    assert.deepEqual(ephemeral('viaexec'), ['sshpod-main']);
  });

  /** The ssh that rsync and git run: the block `sshpod configure` wrote, as `e.ssh` uses it. */
  const rsh = (): string => `ssh -F ${e.sshConfig} ${sshOptions.join(' ')}`;

  test('rsync, git and legacy scp into the view, with a debug image that has them (dynamically linked: they run through its own loader)', async () => {
    // The test cluster's `debian` image: /bin/sh is dash (dynamic), so sessions get its static
    // busybox; rsync and git are Debian's, dynamically linked against its glibc — none of which
    // is in the distroless root the sessions are in.
    const toolsHost = 'pod--tools.sshpod';
    const env = { ...e.env, SSHPOD_DEBUG_IMAGE: 'debian' };
    const first = await e.ssh(`root@${toolsHost}`, ['ls /; command -v rsync'], { env: { SSHPOD_DEBUG_IMAGE: 'debian' } });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^sleeper$/m);
    assert.match(first.stdout, /\/sshpod-view\/bin\/rsync$/m);

    const source = join(work, 'tree');
    mkdirSync(join(source, 'sub'), { recursive: true });
    const files: Record<string, Buffer> = { f1: randomBytes(100_000), 'sub/f2': randomBytes(1_000_003) };
    for (const [name, data] of Object.entries(files)) writeFileSync(join(source, name), data);
    const up = await run('rsync', ['-a', '--stats', '-e', rsh(), `${source}/`, `root@${toolsHost}:/tmp/tree/`], { env });
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /Number of regular files transferred: 2/);
    // Seen from the debug container: in the target's root filesystem.
    const there = await e.podShell('default', 'tools', 'sshpod-main', 'cd /proc/1/root/tmp/tree && sha256sum f1 sub/f2');
    assert.match(there, new RegExp(`^${sha256(files['f1'] as Buffer)}  f1$`, 'm'));
    assert.match(there, new RegExp(`^${sha256(files['sub/f2'] as Buffer)}  sub/f2$`, 'm'));
    writeFileSync(join(source, 'f1'), randomBytes(100_001));
    const again = await run('rsync', ['-a', '--stats', '-e', rsh(), `${source}/`, `root@${toolsHost}:/tmp/tree/`], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Number of regular files transferred: 1/);
    const back = join(work, 'tree-back');
    const pull = await run('rsync', ['-a', '-e', rsh(), `root@${toolsHost}:/tmp/tree/`, `${back}/`], { env });
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(sha256(readFileSync(join(back, 'sub', 'f2'))), sha256(files['sub/f2'] as Buffer));

    const made = await e.ssh(`root@${toolsHost}`, ['git init -q --bare /srv/app.git && git -C /srv/app.git symbolic-ref HEAD refs/heads/main']);
    assert.equal(made.code, 0, made.stderr);
    const gitEnv = {
      ...env,
      GIT_SSH_COMMAND: rsh(),
      GIT_AUTHOR_NAME: 'sshpod test',
      GIT_AUTHOR_EMAIL: 'test@sshpod.invalid',
      GIT_COMMITTER_NAME: 'sshpod test',
      GIT_COMMITTER_EMAIL: 'test@sshpod.invalid',
    };
    const git = (args: string[], cwd = work) => run('git', args, { env: gitEnv, cwd });
    const clone = join(work, 'app');
    const cloned = await git(['clone', '-q', `root@${toolsHost}:/srv/app.git`, clone]);
    assert.equal(cloned.code, 0, cloned.stderr);
    writeFileSync(join(clone, 'README'), 'pushed into a distroless view\n');
    assert.equal((await git(['add', 'README'], clone)).code, 0);
    assert.equal((await git(['commit', '-q', '-m', 'first'], clone)).code, 0);
    const pushed = await git(['push', '-q', 'origin', 'HEAD:main'], clone);
    assert.equal(pushed.code, 0, pushed.stderr);
    const shown = await e.ssh(`root@${toolsHost}`, ['git -C /srv/app.git show main:README']);
    assert.equal(shown.stdout, 'pushed into a distroless view\n', shown.stderr);
    const again2 = join(work, 'app2');
    const recloned = await git(['clone', '-q', `root@${toolsHost}:/srv/app.git`, again2]);
    assert.equal(recloned.code, 0, recloned.stderr);
    assert.equal(readFileSync(join(again2, 'README'), 'utf8'), 'pushed into a distroless view\n');
    // Legacy scp (-O: the remote side is the debug image's scp program, not sftp).
    const legacy = await e.scp(['-O', join(source, 'f1'), `root@${toolsHost}:/tmp/legacy.bin`]);
    assert.equal(legacy.code, 0, legacy.stderr);
    const legacyThere = await e.podShell('default', 'tools', 'sshpod-main', 'sha256sum /proc/1/root/tmp/legacy.bin');
    assert.equal(legacyThere.split(' ')[0], sha256(readFileSync(join(source, 'f1'))));
    // The repository is in the target's root filesystem.
    const repo = await e.podShell('default', 'tools', 'sshpod-main', 'test -f /proc/1/root/srv/app.git/HEAD && echo in-target');
    assert.equal(repo, 'in-target\n');
  });

  test('rsync and git with the default image (busybox, which has neither): a message saying so', async () => {
    const rsync = await run('rsync', ['-a', '-e', rsh(), join(work, 'up.bin'), `root@${host}:/tmp/up2.bin`], { env: e.env });
    assert.notEqual(rsync.code, 0);
    assert.match(rsync.stderr, /^sshpod: rsync is not in the image of the ephemeral container sshpod added, from which sessions in this container without a shell take their programs$/m);
    assert.match(rsync.stderr, /^hint: for pods sshpod adds it to from now on, set SSHPOD_DEBUG_IMAGE to an image with a static sh \(or busybox\) and rsync; this pod keeps its own/m);
    const git = await run('git', ['clone', '-q', `root@${host}:/srv/none.git`, join(work, 'none')], { env: { ...e.env, GIT_SSH_COMMAND: rsh() } });
    assert.notEqual(git.code, 0);
    assert.match(git.stderr, /^sshpod: git is not in the image of the ephemeral container sshpod added/m);
  });

  test('another uid in the target racing the view set-up: sessions land in the real target, run nothing of its', async () => {
    const racedHost = 'pod--raced.sshpod';
    const first = await e.ssh(`root@${racedHost}`, ['ls /']);
    assert.equal(first.code, 0, first.stderr);
    // The attacker, uid nobody inside the target container: a process that calls itself
    // "pause" (the old choice of target skipped those) and forks all the time; one in a user
    // namespace and a root of its own making (a fake /sleeper-less tree marked EVIL-ROOT), with
    // a "shell" everywhere sshpod's could be looked up that would leave a mark if root ran it;
    // and a loop replacing its paths and symlinks. Started through a first session (root).
    const attack = [
      'set -e',
      'mkdir -p /tmp/evil/root/bin /tmp/evil/root/tmp /tmp/evil/bin /tmp/.ssh',
      // The attacker's own busybox (it cannot reach the debug container's: /proc/<pid>/root of root's processes is closed to it).
      'cp "$SHELL" /tmp/evil/root/bin/busybox',
      'ln -s /tmp/evil/root/bin/busybox /tmp/evil/sh',
      'printf "#!/bin/busybox sh\\ntouch /tmp/PWNED\\n" >/tmp/evil/root/bin/sh; chmod 755 /tmp/evil/root/bin/sh',
      ': >/tmp/evil/root/EVIL-ROOT',
      // Files root would run: a program on the target's PATH, the login shell's profile and ssh's rc in its working directory.
      'for f in /tmp/evil/bin/ls /tmp/evil/bin/id /tmp/.profile /tmp/.ssh/rc; do printf "#!/tmp/evil/sh\\ntouch /tmp/PWNED\\n" >$f; chmod 755 $f; done',
      'chown -R nobody /tmp/evil /tmp/.profile /tmp/.ssh',
    ].join('\n');
    const prepared = await e.ssh(`root@${racedHost}`, [attack]);
    assert.equal(prepared.code, 0, prepared.stderr);
    // Started in the target container itself (an exec of its busybox there, not through a session,
    // which is chrooted and so may not make a user namespace), as nobody.
    const B = '/tmp/evil/root/bin/busybox';
    const start = [
      `${B} su -s /tmp/evil/sh nobody -c 'B=${B}; echo -n pause >/proc/self/comm; while :; do $B ln -sfn /tmp/evil/root /tmp/evil/link; $B rm -f /tmp/evil/link; (:); $B sleep 0.05; done' </dev/null >/dev/null 2>&1 &`,
      `${B} su -s /tmp/evil/sh nobody -c '${B} unshare -U -r ${B} chroot /tmp/evil/root /bin/busybox sleep 600' </dev/null >/dev/null 2>&1 &`,
      `${B} sleep 0.5`,
    ].join('\n');
    const started = await execWithClientNode(e.env['KUBECONFIG'] as string, 'default', 'raced', 'main', [B, 'sh', '-c', start]);
    assert.equal(started.status.status, 'Success', `${started.stderr} ${JSON.stringify(started.status)}`);
    const attackers = await e.podShell('default', 'raced', 'sshpod-main', 'n=0; for s in /proc/[0-9]*/status; do grep -q "^Uid:.65534" "$s" 2>/dev/null && n=$((n+1)); done; echo $n; grep -l "^pause$" /proc/[0-9]*/comm 2>/dev/null | wc -l');
    const [nobodies, pauses] = attackers.trim().split('\n').map(Number);
    assert.ok((nobodies ?? 0) >= 2 && (pauses ?? 0) >= 1, `attackers not running: ${attackers}`);

    // Cold connections, all at once, each setting the view up again: sshd stopped and the
    // tools directory gone, the client's memory of the pod forgotten.
    await e.podShell('default', 'raced', 'sshpod-main', 'for f in /tmp/sshpod/*/*/sshd.pid; do kill "$(cat "$f")"; done; rm -rf /sshpod-view/bin');
    rmSync(join(e.home, '.cache', 'sshpod', 'targets'), { recursive: true, force: true });
    const sessions = await Promise.all(
      Array.from({ length: 5 }, () => e.ssh(`root@${racedHost}`, ['ls /; echo "id=$(id -u)"; env; test -e /tmp/PWNED && echo PWNED; true'])),
    );
    // A login shell on a terminal reads ~/.profile: the home must not be the target's /tmp.
    const login = await e.ssh(`root@${racedHost}`, [], { sshOptions: ['-tt'], input: 'pwd; exit 4\n' });
    assert.equal(login.code, 4, login.stderr);
    assert.match(login.stdout, /^\/\r?$/m, 'sessions start at / when the working directory is not root-only');
    for (const session of sessions) {
      assert.equal(session.code, 0, session.stderr);
      assert.match(session.stdout, /^sleeper$/m, 'the target root');
      assert.doesNotMatch(session.stdout, /EVIL-ROOT|PWNED/);
      assert.match(session.stdout, /^id=0$/m);
      assert.match(session.stdout, /^APP_MODE=production$/m, "the target's environment");
      assert.doesNotMatch(session.stdout, /^(LD_PRELOAD|ENV)=/m);
      const path = session.stdout.match(/^PATH=(.*)$/m)?.[1] ?? '';
      assert.deepEqual(path.split(':').filter((entry) => !entry.startsWith('/') || entry.startsWith('/tmp')), [], path);
    }
    const marks = await e.podShell('default', 'raced', 'sshpod-main', 'ls /proc/1/root/tmp/PWNED /proc/1/root/tmp/evil/root/tmp/PWNED 2>/dev/null; true');
    assert.equal(marks, '');
    // The one in a root of its own really ran during all this (unprivileged user namespaces allowed).
    const ownRoot = await e.podShell('default', 'raced', 'sshpod-main', 'for p in /proc/[0-9]*; do [ -e "$p/root/EVIL-ROOT" ] && echo "${p#/proc/}"; done; true');
    assert.notEqual(ownRoot.trim(), '', 'the attacker in a root of its own is running');
  });

  test('RBAC refusing the ephemeral container: the message names the verb', async () => {
    e.cluster.deny({ user: 'admin', resource: 'pods/ephemeralcontainers', verb: 'patch' });
    try {
      const result = await e.ssh('root@pod--denied.sshpod', ['true']);
      assert.equal(result.code, 255);
      assert.deepEqual(sshpodLines(result.stderr), [
        'sshpod: container "main" of pod "denied" has no shell (sh), and you may not add the ephemeral container sshpod would run sshd in: RBAC denies "patch" on "pods/ephemeralcontainers"',
        'hint: ask your cluster admin for "patch" on "pods/ephemeralcontainers" in namespace "default" (kubectl debug needs it too), or target a container that has a shell (container--NAME)',
      ]);
      assert.deepEqual(ephemeral('denied'), []);
    } finally {
      e.cluster.resetAccess();
    }
  });

  test('a cluster without ephemeral containers: a message, not a hang', async () => {
    e.cluster.setEphemeralContainers(false);
    try {
      const result = await e.ssh('root@pod--off.sshpod', ['true']);
      assert.equal(result.code, 255);
      const [message, hint] = sshpodLines(result.stderr);
      assert.equal(message, 'sshpod: container "main" of pod "off" has no shell (sh), and this cluster does not serve ephemeral containers (pods/ephemeralcontainers: 404), which sshpod needs to reach it');
      assert.match(hint ?? '', /Kubernetes 1\.23\+/);
    } finally {
      e.cluster.setEphemeralContainers(true);
    }
  });

  test('an image that cannot be pulled: the message names SSHPOD_DEBUG_IMAGE', async () => {
    const result = await e.ssh('root@pod--unpullable.sshpod', ['true'], { env: { SSHPOD_DEBUG_IMAGE: 'registry.example.com/tools/nosuch:1' } });
    assert.equal(result.code, 255);
    const [message, hint] = sshpodLines(result.stderr);
    assert.match(message ?? '', /^sshpod: container "main" of pod "unpullable" has no shell \(sh\), and sshpod's ephemeral container sshpod-main cannot start \(ErrImagePull/);
    assert.match(hint ?? '', /set SSHPOD_DEBUG_IMAGE to an image with a shell this cluster can pull/);
  });
});
