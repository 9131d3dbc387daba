// For a hostname sshpod connected to before, the exec (check mode: it changes nothing) and the
// port-forward to the remembered sshd start at once, in parallel with the API lookups that say
// which pod and container the hostname means now. Only if those lookups name the same pod (same
// uid), container and port, and the check says sshd is ready, are the early exec's answer and
// stream used; otherwise they are dropped and the connection goes the sequential way. No byte is
// relayed before that confirmation.
import type { ApiConnection } from '../kube/connection.ts';
import { openPortForward, type PortForwardStream } from '../kube/port-forward.ts';
import { checkContainer, type PrepareRequest, type Ready } from '../remote/prepare-container.ts';
import type { ResolvedTarget } from '../resolve/resolve-target.ts';
import { log } from '../log.ts';
import type { CachedTarget } from './target-cache.ts';

export interface Speculation {
  /** The early answer and stream, if the resolved target is the remembered one and sshd is ready. */
  confirm(target: ResolvedTarget): Promise<{ ready: Ready; stream: PortForwardStream } | undefined>;
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
  const drop = (): void => {
    abandoned = true;
    void opened.then((stream) => stream?.destroy());
  };
  return {
    async confirm(target) {
      const [ready, stream] = await Promise.all([check, opened]);
      const same =
        target.namespace === cached.namespace && target.podName === cached.pod && target.podUid === cached.podUid && target.container === cached.container;
      if (!abandoned && same && ready?.port === cached.port && stream && !stream.destroyed && !stream.errored) {
        log.debug('early exec and port-forward confirmed');
        return { ready, stream };
      }
      log.debug(`early exec and port-forward dropped (${same ? (ready ? 'sshd moved' : 'sshd not ready') : 'another pod or container'})`);
      drop();
      return undefined;
    },
    abandon: drop,
  };
}
