// The attacks of the security issue, made the way an attacker in a pod would, through the real
// ssh and the configured block: another uid racing sshpod's install in an emptyDir /tmp, in an
// app-owned $HOME and through a planted /tmp/sshpod symlink; and a host key stolen from one pod
// with the computed banner, served on the remembered port of another pod after its sshd died.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { container, e2eSkipReason, pod, startE2E, type E2E } from './harness.ts';
import { installId } from '../../src/remote/install-id.ts';
import { bundleVersion, loadManifest, targetForMachine } from '../../src/remote/bundles.ts';

const ATTACKER = 1000;

/** What the attacker runs as uid 1000, in the background, for the rest of the pod's life. */
const asAttacker = (script: string): string =>
  `cat > /opt/attack.sh <<'EOF_ATTACK'\n${script}\nEOF_ATTACK\nchmod 755 /opt/attack.sh\n` +
  `setpriv --reuid=${ATTACKER} --regid=${ATTACKER} --clear-groups /opt/attack.sh </dev/null >/dev/null 2>&1 &`;

/**
 * The attacker: once root's script has checked its sshpod tree (it holds its lock there),
 * renames the tree away and puts its own directories at the same path (the old script went on
 * writing there by path), then keeps its own sshd in place of root's. sshpod's directories are
 * 0711, so it cannot list them: it knows the pod uid as any process in the pod can (the remote
 * script's argv, the downward API).
 */
const racer = (base: string, podUid: string): string => `
printf '#!/bin/sh\\nid -u > /opt/evil/ran-as\\n' > /opt/evil/sshd; chmod 755 /opt/evil/sshd
cd ${base} || exit 1
touch /opt/evil/racing
app=sshpod/${podUid}/main
n=0
while :; do
  n=$((n + 1))
  if [ -d "$app/lock" ] && [ ! -O sshpod ]; then
    mv sshpod gone.$n 2>/dev/null && mkdir -p "$app" && chmod -R 777 sshpod
  fi
  if [ -O "$app" ]; then
    cp /opt/evil/sshd "$app/.e" 2>/dev/null && mv -f "$app/.e" "$app/sshd" 2>/dev/null
  fi
done`;

/** The uid of a pod of the test cluster. */
const uidOf = (e: E2E, name: string): string => (e.cluster.get('pods', 'default', name) as unknown as { metadata: { uid: string } }).metadata.uid;

const evilDir = 'mkdir -p /opt/evil && chown 1000:1000 /opt/evil';

/** Kills every sshd listener in the pod (as root), so that the next connect installs or restarts. */
const killListeners = `word=listen; for p in /proc/[0-9]*; do
  case "$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)" in *sshd*"[\${word}er]"*) kill \${p#/proc/} ;; esac
done; true`;

describe('another uid in the pod cannot take over what sshpod installs', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  const tmpVolume = { volumes: [{ name: 'tmp', emptyDir: {} }] };
  const tmpMount = { volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] };
  before(async () => {
    e = await startE2E({
      objects: [
        pod('racy', { ...tmpVolume, containers: [container('main', 'debian', tmpMount)] }),
        pod('apphome', {
          containers: [
            container('main', 'debian', {
              env: [{ name: 'HOME', value: '/home/app' }],
              command: ['sh', '-c', `mkdir -p /home/app && chown ${ATTACKER}:${ATTACKER} /home/app && exec sleep infinity`],
            }),
          ],
        }),
        pod('linked', { containers: [container('main', 'debian')] }),
        // A uid without a passwd entry: any login name maps to it.
        pod('nonroot', { containers: [container('main', 'debian', { securityContext: { runAsUser: 4242, runAsGroup: 4242 } })] }),
        pod('victim', { containers: [container('main', 'debian')] }),
      ],
    });
  });
  after(async () => {
    await e?.stop();
  });

  const rootSsh = async (host: string): Promise<void> => {
    const result = await e.ssh(`root@${host}`, ['id -u']);
    assert.equal(result.stdout, '0\n', result.stderr);
  };

  test('an emptyDir /tmp (0777, no sticky bit): a racing uid never gets its sshd run by root', async () => {
    const emptyDirMode = (await e.podShell('default', 'racy', 'main', 'stat -c %a /tmp')).trim();
    assert.equal(emptyDirMode, '777', 'the emptyDir is writable by every uid, without the sticky bit');
    await e.podShell('default', 'racy', 'main', `${evilDir}\n${asAttacker(racer('/tmp', uidOf(e, 'racy')))}`);
    for (let i = 0; i < 50 && (await e.podShell('default', 'racy', 'main', 'ls /opt/evil')).trim() === ''; i++) await new Promise((r) => setTimeout(r, 100));
    for (let round = 0; round < 3; round++) {
      await rootSsh('pod--racy.sshpod');
      await e.podShell('default', 'racy', 'main', killListeners); // the next round installs or starts sshd again
    }
    assert.equal((await e.podShell('default', 'racy', 'main', 'cat /opt/evil/ran-as 2>/dev/null || echo never')).trim(), 'never');
  });

  test("an app-owned $HOME, after the app's uid pushed root off /tmp: the racing uid gets nothing", async () => {
    await e.podShell('default', 'apphome', 'main', `${evilDir}\nsetpriv --reuid=${ATTACKER} --regid=${ATTACKER} --clear-groups mkdir -m 777 /tmp/sshpod\n${asAttacker(racer('/home/app', uidOf(e, 'apphome')))}`);
    for (let round = 0; round < 3; round++) {
      await rootSsh('pod--apphome.sshpod');
      await e.podShell('default', 'apphome', 'main', killListeners);
    }
    assert.equal((await e.podShell('default', 'apphome', 'main', 'cat /opt/evil/ran-as 2>/dev/null || echo never')).trim(), 'never');
  });

  test('a /tmp/sshpod symlink to /etc makes root create nothing under /etc', async () => {
    const uid = uidOf(e, 'linked');
    await e.podShell('default', 'linked', 'main', `setpriv --reuid=${ATTACKER} --regid=${ATTACKER} --clear-groups ln -s /etc /tmp/sshpod`);
    await rootSsh('pod--linked.sshpod');
    assert.equal((await e.podShell('default', 'linked', 'main', `ls -d /etc/${uid} 2>/dev/null || echo absent`)).trim(), 'absent');
  });

  test("a host key stolen from another pod, with the computed banner on a dead sshd's port, is refused, and the next connect repairs", async () => {
    // Both pods get their sshd the normal way.
    await e.ssh(`${'root'}@pod--victim.sshpod`, ['true']);
    const first = await e.ssh('root@pod--nonroot.sshpod', ['true']);
    assert.equal(first.code, 0, first.stderr);
    // The app's uid of the non-root pod can read that pod's host key: it runs that sshd.
    const stolen = await e.podShell('default', 'nonroot', 'main', 'cat /tmp/sshpod/*/main/*host_ed25519_key');
    // The victim's sshd dies (OOM, a restart of its process); the pod and its uid stay.
    const target = JSON.parse(readFileSync(join(e.home, '.cache', 'sshpod', 'targets', readdirSync(join(e.home, '.cache', 'sshpod', 'targets')).find((f) => readFileSync(join(e.home, '.cache', 'sshpod', 'targets', f), 'utf8').includes('"pod":"victim"')) as string), 'utf8')) as {
      port: number;
      podUid: string;
      arch: string;
    };
    await e.podShell('default', 'victim', 'main', killListeners);
    // A uid-1000 process of the victim pod serves the stolen key and the banner sshpod expects.
    const manifest = loadManifest();
    const banner = installId(target.podUid, 'main', bundleVersion(manifest, targetForMachine(manifest, target.arch)));
    await e.podShell(
      'default',
      'victim',
      'main',
      `${evilDir}
cat > /opt/evil/key <<'EOF_KEY'
${stolen.trim()}
EOF_KEY
cat > /opt/evil/config <<'EOF_CONFIG'
HostKey /opt/evil/key
ListenAddress 127.0.0.1
PidFile /opt/evil/pid
AuthorizedKeysFile /opt/evil/authorized_keys
StrictModes no
VersionAddendum ${banner}
ForceCommand touch /opt/evil/got-a-session
EOF_CONFIG
cp /tmp/sshpod/*/main/authorized_keys /opt/evil/authorized_keys
echo 'root:x:${ATTACKER}:${ATTACKER}:x:/opt/evil:/bin/sh' > /opt/evil/passwd
chown -R ${ATTACKER}:${ATTACKER} /opt/evil && chmod 600 /opt/evil/key
cp /tmp/sshpod/*/main/sshd /opt/evil/sshd
SSHPOD_PASSWD=/opt/evil/passwd setpriv --reuid=${ATTACKER} --regid=${ATTACKER} --clear-groups /opt/evil/sshd -f /opt/evil/config -p ${target.port} -E /opt/evil/log`,
    );
    const fooled = await e.ssh('root@pod--victim.sshpod', ['id -u']);
    assert.equal(fooled.code, 255, `ssh must refuse: ${fooled.stdout} ${fooled.stderr}`);
    assert.match(fooled.stderr, /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    assert.equal((await e.podShell('default', 'victim', 'main', 'ls /opt/evil/got-a-session 2>/dev/null || echo none')).trim(), 'none');
    // sshpod noticed the stranger and forgot that endpoint: the next connect starts its own sshd.
    await rootSsh('pod--victim.sshpod');
  });
});
