// `sshpod proxy`, top to bottom: parse the name → find the pod → prepare the container → pin its
// host key → open the stream → relay. The API round trips are one GET (pod) or a GET and a LIST
// (workload), one exec and one port-forward; for a hostname connected to before, the exec and the
// port-forward run in parallel with the lookups (speculate.ts).
import { userInfo } from 'node:os';
import { parseHostname } from '../target/hostname.ts';
import { checkLoginName } from '../target/login-name.ts';
import { loadKubeConfig, selectContext } from '../kube/kubeconfig.ts';
import { ApiConnection } from '../kube/connection.ts';
import { openPortForward, type PortForwardStream } from '../kube/port-forward.ts';
import { resolveTarget } from '../resolve/resolve-target.ts';
import { prepareContainer, type Ready } from '../remote/prepare-container.ts';
import { ensureKeys } from '../ssh/keys.ts';
import { sshpodPaths } from '../ssh/paths.ts';
import { hostPattern, pinHostKey } from '../ssh/known-hosts.ts';
import { isEd25519PublicKey } from '../ssh/openssh-key.ts';
import { asyncStdout, relay } from '../relay/relay.ts';
import { SshpodError } from '../errors.ts';
import { log } from '../log.ts';
import { readCachedTarget, sameTarget, writeCachedTarget, type CachedTarget } from './target-cache.ts';
import { speculate } from './speculate.ts';

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

  const cached = readCachedTarget(paths, selected.context, options.host);
  const early = cached ? speculate(connection, cached, request) : undefined;
  const target = await resolveTarget(connection, spec, selected.namespace).catch((error: unknown) => {
    early?.abandon();
    throw error;
  });
  log.info(`${spec.kind} ${spec.name} → pod ${target.podName}, container ${target.container}, namespace ${target.namespace}`);

  const confirmed = await early?.confirm(target);
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
  if (!cached || !sameTarget(cached, found)) writeCachedTarget(paths, selected.context, options.host, found);

  log.debug('relaying');
  await relay(process.stdin, asyncStdout(), stream);
  log.debug('connection closed');
  connection.close();
}
