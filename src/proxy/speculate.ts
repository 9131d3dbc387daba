// For a hostname sshpod connected to before, the exec (check mode: it changes nothing) and the
// port-forward to the remembered sshd start at once. No byte is relayed before the remembered
// target is confirmed:
//  - a pod target is confirmed by the check alone: it looks under /tmp/sshpod/<pod-uid>/<container>/
//    inside the container the exec reached, and a pod of that name created since has another
//    uid, so "ready" there means the same pod, container and sshd; no lookup is needed.
//  - a workload target is confirmed by the lookups that choose its pod now (run in parallel):
//    the same pod (uid), container and port as remembered.
// Anything else drops the early exec's answer and stream; the connection then goes the
// sequential way.
import type { ApiConnection } from '../kube/connection.ts';
import { openPortForward, type PortForwardStream } from '../kube/port-forward.ts';
import { checkContainer, type PrepareRequest, type Ready } from '../remote/prepare-container.ts';
import type { ResolvedTarget } from '../resolve/resolve-target.ts';
import { log } from '../log.ts';
import type { CachedTarget } from './target-cache.ts';

export interface Confirmed {
  ready: Ready;
  stream: PortForwardStream;
}

export interface Speculation {
  /** The early answer and stream if the check found sshd ready where it was remembered. */
  ready(): Promise<Confirmed | undefined>;
  /** The same, and only if the resolved target is the remembered one. */
  confirm(target: ResolvedTarget): Promise<Confirmed | undefined>;
  abandon(): void;
}

export function speculate(connection: ApiConnection, cached: CachedTarget, request: Omit<PrepareRequest, 'namespace' | 'pod' | 'podUid' | 'container'>): Speculation {
  const check = checkContainer(connection, { ...request, namespace: cached.namespace, pod: cached.pod, podUid: cached.podUid, container: cached.container }).catch((error: unknown) => {
    log.debug(`early check failed: ${(error as Error).message}`);
    return undefined;
  });
  const opened = openPortForward(connection, { namespace: cached.namespace, pod: cached.pod, port: cached.port }).then(
    (stream) => {
      // Until it is confirmed, a failure of this stream is only a reason not to use it.
      stream.on('error', () => undefined);
      return stream;
    },
    (error: unknown) => {
      log.debug(`early port-forward failed: ${(error as Error).message}`);
      return undefined;
    },
  );
  let abandoned = false;
  const abandon = (): void => {
    abandoned = true;
    void opened.then((stream) => stream?.destroy());
  };
  const ready = async (): Promise<Confirmed | undefined> => {
    const [answer, stream] = await Promise.all([check, opened]);
    if (!abandoned && answer?.port === cached.port && stream && !stream.destroyed && !stream.errored) return { ready: answer, stream };
    log.debug(`early exec and port-forward dropped (${answer ? 'sshd moved' : 'sshd not ready there'})`);
    abandon();
    return undefined;
  };
  return {
    ready,
    async confirm(target) {
      const same =
        target.namespace === cached.namespace && target.podName === cached.pod && target.podUid === cached.podUid && target.container === cached.container;
      if (!same) {
        log.debug('early exec and port-forward dropped (another pod or container)');
        abandon();
        return undefined;
      }
      return ready();
    },
    abandon,
  };
}
