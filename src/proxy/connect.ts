// `sshpod proxy`, top to bottom: parse the name → find the pod → prepare the container → pin its
// host key → open the stream → relay.
//
// The first connection to a hostname makes one GET (pod) or a GET and a LIST (workload), one exec
// (which installs sshd when needed) and one port-forward. A later one goes straight to the sshd it
// found (known-sshd.ts): one port-forward for a pod target; for a workload, that port-forward runs
// in parallel with the lookups that confirm the workload still means that pod. If the remembered
// sshd is not there as it was, the exec path runs and repairs what changed.
import { userInfo } from 'node:os';
import { parseHostname } from '../target/hostname.ts';
import { checkLoginName } from '../target/login-name.ts';
import { loadKubeConfig, selectContext } from '../kube/kubeconfig.ts';
import { ApiConnection } from '../kube/connection.ts';
import { openPortForward, type PortForwardStream } from '../kube/port-forward.ts';
import { resolveTarget, type ResolvedTarget } from '../resolve/resolve-target.ts';
import { prepareContainer } from '../remote/prepare-container.ts';
import { installId } from '../remote/install-id.ts';
import { loadManifest, versionsByMachine } from '../remote/bundles.ts';
import { ensureKeys } from '../ssh/keys.ts';
import { sshpodPaths } from '../ssh/paths.ts';
import { hostPattern, pinHostKey } from '../ssh/known-hosts.ts';
import { isEd25519PublicKey } from '../ssh/openssh-key.ts';
import { asyncStdout, relay } from '../relay/relay.ts';
import { SshpodError } from '../errors.ts';
import { log } from '../log.ts';
import { readCachedTarget, sameTarget, writeCachedTarget, type CachedTarget } from './target-cache.ts';
import { openKnownSshd } from './known-sshd.ts';
import { explainStreamEnd } from './stream-end.ts';

export interface ProxyOptions {
  host: string;
  user?: string;
  port?: number;
}

function sameContainer(target: ResolvedTarget, cached: CachedTarget): boolean {
  return target.namespace === cached.namespace && target.podName === cached.pod && target.podUid === cached.podUid && target.container === cached.container;
}

export async function runProxy(options: ProxyOptions): Promise<void> {
  const spec = parseHostname(options.host);
  const login = checkLoginName(options.user || userInfo().username);
  const selected = selectContext(loadKubeConfig(), spec.context);
  log.debug(`kubeconfig: context ${selected.context}, server ${selected.server}`);
  const paths = sshpodPaths();
  const connection = await ApiConnection.open(selected, paths.cacheDir);
  const keys = ensureKeys(paths);

  const key = { context: selected.context, namespace: spec.namespace ?? selected.namespace, host: options.host };
  const cached = readCachedTarget(paths, key);
  const manifest = loadManifest();
  const expectedVersion = cached && versionsByMachine(manifest)[cached.arch];
  const known =
    cached && cached.login === login && expectedVersion
      ? openKnownSshd(connection, { namespace: cached.namespace, pod: cached.pod, port: cached.port, installId: installId(cached.podUid, cached.container, expectedVersion) })
      : undefined;

  let target: ResolvedTarget | undefined;
  let stream: PortForwardStream | undefined;
  if (known && cached && spec.kind === 'pod') {
    // The sshd's install id names the pod uid and container: nothing needs looking up.
    stream = await known;
    if (stream) target = { namespace: cached.namespace, podName: cached.pod, podUid: cached.podUid, container: cached.container };
  }
  if (!target) {
    target = await resolveTarget(connection, spec, selected.namespace).catch(async (error: unknown) => {
      (await known)?.destroy();
      throw error;
    });
    if (known && cached && spec.kind !== 'pod') {
      const early = await known;
      if (early && sameContainer(target, cached)) stream = early;
      else early?.destroy();
    }
  }
  log.info(`${spec.kind} ${spec.name} → pod ${target.podName}, container ${target.container}, namespace ${target.namespace}`);

  let found: CachedTarget;
  if (stream && cached) {
    found = cached;
  } else {
    const ready = await prepareContainer(connection, manifest, { login, keys, host: options.host, namespace: target.namespace, pod: target.podName, podUid: target.podUid, container: target.container });
    log.info(`sshd listens on 127.0.0.1:${ready.port} in ${ready.dir}`);
    if (!isEd25519PublicKey(ready.hostKey)) {
      throw new SshpodError('container', `the sshd in pod "${target.podName}" reported an invalid host key`, { hint: 'run again with --log-level debug' });
    }
    found = { namespace: target.namespace, pod: target.podName, podUid: target.podUid, container: target.container, port: ready.port, arch: ready.arch, hostKey: ready.hostKey, login };
    stream = await openPortForward(connection, { namespace: target.namespace, pod: target.podName, port: ready.port });
  }
  pinHostKey(paths.knownHosts, keys.host.publicKey, hostPattern(options.host, options.port ?? 22), found.hostKey);
  if (!cached || !sameTarget(cached, found)) writeCachedTarget(paths, key, found);

  // ssh sends its ProxyCommand SIGHUP when it is done with it: a normal end, not an error.
  process.once('SIGHUP', () => process.exit(0));
  log.debug('relaying');
  const session = { namespace: target.namespace, pod: target.podName, podUid: target.podUid, container: target.container };
  await relay(process.stdin, asyncStdout(), stream, { remoteEndedFirst: () => explainStreamEnd(connection, session) });
  log.debug('connection closed');
  connection.close();
}
