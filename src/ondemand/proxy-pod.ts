// The ProxyCommand's side of an on-demand pod (`template--NAME.sshpod`): read the template, make
// the pod for this connection (on-demand-pod.ts) and hand reachSshd the pod by name. The pod lives
// as long as this process — with connection sharing, the master connection's proxy, so every
// ssh/scp over that master lands in the same pod — and goes with it:
//  - the relay ends (connect.ts calls release());
//  - SIGHUP (ssh's normal end), SIGINT (Ctrl-C, also while the pod is still Pending), SIGTERM:
//    the pod is released, then the process exits (at most 15 s later, whatever the API does);
//  - a failure: released before the error is reported;
//  - SIGKILL or a crash: the guard (guard.ts) releases it; the machine gone: the pod's safeguard.
// While the pod is Pending, a progress line goes to stderr once the wait passes a second (under the
// block's ControlPersist, ssh sends it to /dev/null; errors still reach the person through ssh).
import { constants } from 'node:os';
import type { KubeApi } from '../kube/api.ts';
import type { SelectedContext } from '../kube/kubeconfig.ts';
import type { TargetSpec } from '../target/hostname.ts';
import { canonicalHost } from '../target/hostname.ts';
import { SshpodError } from '../errors.ts';
import { log } from '../log.ts';
import { printable } from '../text/printable.ts';
import { unpinHostKey } from '../ssh/known-hosts.ts';
import { loadTemplate } from './template-file.ts';
import { startOnDemandPod, type OnDemandPod } from './on-demand-pod.ts';
import { podStartTimeoutMs } from './wait-for-pod.ts';
import { startGuard, type Guard } from './guard.ts';
import { ProgressLine } from './progress-line.ts';
import { localOwner } from './owner.ts';

/** However the API behaves, a signal ends the process within this long. */
const RELEASE_BOUND_MS = 15_000;

export interface ConnectionPod {
  /** What reachSshd connects to: the pod, by name. */
  target: TargetSpec;
  /** For the sshd's idle exit: the template's safeguard time. */
  idleSeconds: number;
  /** The host key was pinned for the hostname (`add`): it is unpinned with the pod. */
  pinned(pattern: string, key: string): void;
  /** Deletes the pod (leaves a shared one), unpins its key, tells the guard. Idempotent, never throws. */
  release(): Promise<void>;
}

export interface ConnectionPodOptions {
  host: string;
  knownHosts: string;
  ownHostKey: string;
}

export async function podForConnection(api: KubeApi, spec: TargetSpec, selected: SelectedContext, options: ConnectionPodOptions): Promise<ConnectionPod> {
  const template = await loadTemplate(spec.name);
  const namespace = spec.namespace ?? template.namespace ?? selected.namespace;
  const controller = new AbortController();
  let guard: Guard | undefined;
  let pod: OnDemandPod | undefined;
  let pin: { pattern: string; key: string } | undefined;
  let released: Promise<void> | undefined;
  const progress = new ProgressLine();

  const release = (): Promise<void> => {
    released ??= (async () => {
      await pod?.release();
      if (pin) {
        try {
          unpinHostKey(options.knownHosts, options.ownHostKey, pin.pattern, pin.key);
        } catch (error) {
          log.debug(`known_hosts: ${(error as Error).message}`);
        }
      }
      guard?.released();
    })();
    return released;
  };

  const starting = startOnDemandPod(api, {
    template,
    namespace,
    owner: localOwner(selected),
    hostname: canonicalHost(options.host),
    ...(spec.container === undefined ? {} : { container: spec.container }),
    startTimeoutMs: podStartTimeoutMs(),
    signal: controller.signal,
    onCreated: (releaseSpec) => {
      guard = startGuard(selected.context, releaseSpec);
    },
    onProgress: (waitingFor, elapsedMs) => {
      log.debug(`pod for template--${template.name}: ${waitingFor}`);
      const first = !progress.started;
      const line = progress.next(waitingFor, elapsedMs);
      if (line === undefined) return;
      if (first) process.stderr.write(`sshpod: starting a pod from template "${printable(template.name)}" in namespace "${printable(namespace)}" (Ctrl-C cancels)\n`);
      process.stderr.write(`sshpod: ${printable(line)}\n`);
    },
  });

  let ending = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (ending) return;
    ending = true;
    const code = signal === 'SIGHUP' ? 0 : 128 + (constants.signals[signal] ?? 0);
    log.debug(`${signal}: releasing the on-demand pod`);
    controller.abort(new SshpodError('stream', `stopped by ${signal} while the pod for template "${template.name}" was starting`));
    setTimeout(() => process.exit(code), RELEASE_BOUND_MS).unref();
    // While starting, startOnDemandPod releases what it made itself; after that, release() does.
    void starting
      .then(
        () => release(),
        () => guard?.released(),
      )
      .finally(() => process.exit(code));
  };
  for (const signal of ['SIGHUP', 'SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal);

  try {
    pod = await starting;
  } catch (error) {
    guard?.released(); // startOnDemandPod released the pod before it threw
    throw error;
  }
  const target: TargetSpec = { kind: 'pod', name: pod.pod, namespace: pod.namespace, container: pod.container, continuations: [] };
  return {
    target,
    idleSeconds: pod.idleSeconds,
    pinned: (pattern, key) => {
      pin = { pattern, key };
      guard?.pinned(pattern, key);
    },
    release,
  };
}
