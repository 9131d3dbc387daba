// `sshpod proxy`, top to bottom: parse the name → reach the container's sshd (src/reach: find the
// pod, prepare the container, open the stream) → pin its host key for this hostname → relay
// ssh's bytes until either side ends, watching that the sshd presents the key that was pinned.
// A `template--` hostname first makes a pod for this connection (src/ondemand, loaded only then),
// which goes when the connection does.
import { userInfo } from 'node:os';
import { mkdirSync } from 'node:fs';
import { parseHostname } from '../target/hostname.ts';
import { checkLoginName } from '../target/login-name.ts';
import { loadKubeConfig, selectContext } from '../kube/kubeconfig.ts';
import { ApiConnection } from '../kube/connection.ts';
import { reachSshd } from '../reach/reach-sshd.ts';
import { sshdIdleSeconds } from '../reach/sshd-idle.ts';
import { watchHostKey } from '../reach/host-key-watch.ts';
import { SshpodError } from '../errors.ts';
import { fileTargetCache } from '../reach/target-cache.ts';
import { fileTransportMemory, transportSetting } from '../reach/transport.ts';
import { ensureKeys } from '../ssh/keys.ts';
import { sshpodPaths } from '../ssh/paths.ts';
import { hostPattern, pinHostKey } from '../ssh/known-hosts.ts';
import { asyncStdout, relay } from '../relay/relay.ts';
import { log } from '../log.ts';
import { explainStreamEnd } from './stream-end.ts';

export interface ProxyOptions {
  host: string;
  user?: string;
  port?: number;
  /** auto, port-forward or exec (else SSHPOD_TRANSPORT; see src/reach/transport.ts). */
  transport?: string;
}

export async function runProxy(options: ProxyOptions): Promise<void> {
  const spec = parseHostname(options.host);
  const login = checkLoginName(options.user || userInfo().username);
  const selected = selectContext(loadKubeConfig(), spec.context);
  log.debug(`kubeconfig: context ${selected.context}, server ${selected.server}`);
  const paths = sshpodPaths();
  // ssh binds its ControlMaster socket there once this connection is up: it must exist, even
  // after someone emptied ~/.cache/sshpod.
  mkdirSync(paths.controlDir, { recursive: true, mode: 0o700 });
  const idleSeconds = sshdIdleSeconds();
  const transport = transportSetting(options.transport);
  const connection = await ApiConnection.open(selected, { cacheDir: paths.cacheDir });
  const keys = ensureKeys(paths);
  const pattern = hostPattern(options.host, options.port ?? 22);
  const onDemand =
    spec.kind === 'template'
      ? await (await import('../ondemand/proxy-pod.ts')).podForConnection(connection, spec, selected, { host: options.host, knownHosts: paths.knownHosts, ownHostKey: keys.host.publicKey })
      : undefined;
  try {
    // An on-demand pod is new each time: nothing to remember about it, and its key joins the
    // hostname's pins (each concurrent connection has a pod of its own) until it goes.
    const reached = await reachSshd(
      connection,
      { spec: onDemand?.target ?? spec, host: options.host, login, authorizedKey: keys.client.publicKey, defaultNamespace: selected.namespace, idleSeconds: onDemand?.idleSeconds || idleSeconds, transport },
      onDemand ? undefined : fileTargetCache(paths, selected.context),
      fileTransportMemory(paths.cacheDir, selected.context),
    );
    const { stream, sshd } = reached;
    pinHostKey(paths.knownHosts, keys.host.publicKey, pattern, sshd.hostKey, onDemand ? 'add' : 'replace');
    onDemand?.pinned(pattern, sshd.hostKey);

    // ssh sends its ProxyCommand SIGHUP when it is done with it: a normal end, not an error. (An
    // on-demand pod's own handler deletes the pod first.)
    if (!onDemand) process.once('SIGHUP', () => process.exit(0));
    log.debug('relaying');
    const relaying = relay(process.stdin, asyncStdout(), stream, { remoteEndedFirst: () => explainStreamEnd(connection, sshd) });
    watchHostKey(stream, sshd.hostKey, (presented) => {
      // ssh refuses it too; forgetting the endpoint lets the next connection start sshpod's own sshd.
      reached.forget();
      stream.destroy(
        new SshpodError('container', `the sshd on port ${sshd.port} of pod "${sshd.pod}" presented a host key sshpod did not install there (${presented.slice(0, 40)}…); something in the pod may be imitating it`, {
          hint: "connect again: sshpod starts its own sshd anew; if this repeats, tell the pod's owner",
        }),
      );
    });
    await relaying;
    log.debug('connection closed');
  } finally {
    await onDemand?.release();
  }
  connection.close();
}
