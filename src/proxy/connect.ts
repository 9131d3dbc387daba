// `sshpod proxy`, top to bottom: parse the name → find the pod → prepare the container → pin its
// host key → open the stream → relay. The API round trips are one GET (pod) or a GET and a LIST
// (workload), one exec and one port-forward. For a hostname connected to before, the exec (a
// check) and the port-forward start at once, and a pod target then needs no lookup at all
// (speculate.ts): the warm path of `ssh root@pod--x.sshpod` is one exec and one port-forward.
import { userInfo } from 'node:os';
import { parseHostname } from '../target/hostname.ts';
import { checkLoginName } from '../target/login-name.ts';
import { loadKubeConfig, selectContext } from '../kube/kubeconfig.ts';
import { ApiConnection } from '../kube/connection.ts';
import { openPortForward, type PortForwardStream } from '../kube/port-forward.ts';
import { resolveTarget, type ResolvedTarget } from '../resolve/resolve-target.ts';
import { prepareContainer, type Ready } from '../remote/prepare-container.ts';
import { ensureKeys } from '../ssh/keys.ts';
import { sshpodPaths } from '../ssh/paths.ts';
import { hostPattern, pinHostKey } from '../ssh/known-hosts.ts';
import { isEd25519PublicKey } from '../ssh/openssh-key.ts';
import { asyncStdout, relay } from '../relay/relay.ts';
import { SshpodError } from '../errors.ts';
import { log } from '../log.ts';
import { readCachedTarget, sameTarget, writeCachedTarget, type CachedTarget } from './target-cache.ts';
import { speculate, type Confirmed } from './speculate.ts';

export interface ProxyOptions {
  host: string;
  user?: string;
  port?: number;
}

export async function runProxy(options: ProxyOptions): Promise<void> {
  const spec = parseHostname(options.host);
  const login = checkLoginName(options.user || userInfo().username);
  const selected = selectContext(loadKubeConfig(), spec.context);
  log.debug(`kubeconfig: context ${selected.context}, server ${selected.server}`);
  const connection = await ApiConnection.open(selected);
  const paths = sshpodPaths();
  const keys = ensureKeys(paths);
  const request = { login, keys, host: options.host };

  const key = { context: selected.context, namespace: spec.namespace ?? selected.namespace, host: options.host };
  const cached = readCachedTarget(paths, key);
  const early = cached ? speculate(connection, cached, request) : undefined;
  let confirmed: Confirmed | undefined;
  let target: ResolvedTarget | undefined;
  if (early && cached && spec.kind === 'pod') {
    // A pod target needs no lookup when the check confirms it (see speculate.ts).
    confirmed = await early.ready();
    if (confirmed) target = { namespace: cached.namespace, podName: cached.pod, podUid: cached.podUid, container: cached.container };
  }
  if (!target) {
    target = await resolveTarget(connection, spec, selected.namespace).catch((error: unknown) => {
      early?.abandon();
      throw error;
    });
    if (early && spec.kind !== 'pod') confirmed = await early.confirm(target);
  }
  log.info(`${spec.kind} ${spec.name} → pod ${target.podName}, container ${target.container}, namespace ${target.namespace}`);

  let ready: Ready;
  let stream: PortForwardStream | undefined;
  if (confirmed) {
    ({ ready, stream } = confirmed);
  } else {
    ready = await prepareContainer(connection, { ...request, namespace: target.namespace, pod: target.podName, podUid: target.podUid, container: target.container });
  }
  log.info(`sshd listens on 127.0.0.1:${ready.port} in ${ready.dir}`);

  if (!isEd25519PublicKey(ready.hostKey)) {
    throw new SshpodError('container', `the sshd in pod "${target.podName}" reported an invalid host key`, { hint: 'run again with --log-level debug' });
  }
  pinHostKey(paths.knownHosts, keys.host.publicKey, hostPattern(options.host, options.port ?? 22), ready.hostKey);

  stream ??= await openPortForward(connection, { namespace: target.namespace, pod: target.podName, port: ready.port });
  const found: CachedTarget = { namespace: target.namespace, pod: target.podName, podUid: target.podUid, container: target.container, port: ready.port };
  if (!cached || !sameTarget(cached, found)) writeCachedTarget(paths, key, found);

  // ssh sends its ProxyCommand SIGHUP when it is done with it: a normal end, not an error.
  process.once('SIGHUP', () => process.exit(0));
  log.debug('relaying');
  await relay(process.stdin, asyncStdout(), stream);
  log.debug('connection closed');
  connection.close();
}
