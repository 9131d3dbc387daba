// An on-demand pod's whole life, for any entry point (the ProxyCommand here, the gateway on the
// server side): given a KubeApi, a template and an owner, it creates the pod (or joins a shared
// template's pod), waits for it to run — saying what it waits for, bounded, abortable — and
// returns where to connect plus `release()`, which deletes the pod (or leaves the shared one,
// deleting it when this was the last connection). If anything fails or is aborted after the pod
// was made, the pod is released before the error comes back: nothing is left behind.
import type { KubeApi } from '../kube/api.ts';
import type { Pod } from '../kube/types.ts';
import { log } from '../log.ts';
import { sweepNamespace } from './sweep.ts';
import { renderPod } from './render-pod.ts';
import { templateOptions } from './template-options.ts';
import type { PodTemplate } from './template.ts';
import { sharedKey, type Owner } from './labels.ts';
import { createPod, deletePod, type PodRef } from './pod-requests.ts';
import { joinOrCreateShared, leaveShared, newHolderId } from './shared-holders.ts';
import { waitForPod } from './wait-for-pod.ts';
import { watchdogScript } from './watchdog-script.ts';
import { workstationOptions } from './workstation.ts';
import { startWorkstation, type Workstation } from './workstation-token.ts';

export interface OnDemandRequest {
  template: PodTemplate;
  /** The namespace to make it in (the hostname's, else the template's, else the context's). */
  namespace: string;
  owner: Owner;
  /** The hostname as sshpod keys it (canonicalHost): recorded on the pod, and what a shared pod is shared for. */
  hostname: string;
  /** The hostname's container--, if any. */
  container?: string;
  /** Bound of the wait for the pod to run. */
  startTimeoutMs: number;
  /** What the pod waits for, at every look while it starts (progress-line.ts says when to print it). */
  onProgress?: (progress: string, elapsedMs: number) => void;
  /** Aborting stops the wait; the pod is then released and the abort's reason thrown. */
  signal?: AbortSignal;
  /** Called as soon as the pod exists (before it runs), with what it takes to release it from elsewhere. */
  onCreated?: (release: ReleaseSpec) => void;
  now?: () => Date;
}

/** What release() needs, as plain values: another process (the proxy's guard) can release with it. */
export interface ReleaseSpec extends PodRef {
  /** For a shared pod: this connection's holder id (leave rather than delete). */
  holder?: string;
}

export interface OnDemandPod extends PodRef {
  container: string;
  shared: boolean;
  /** The safeguard's seconds without an ssh session (0: none), also right for the sshd's idle exit. */
  idleSeconds: number;
  /** Whether this connection made the pod (false: it joined a shared one). */
  created: boolean;
  /** Deletes the pod (a shared one: leaves it, deleting it if nobody else holds it). Idempotent, never throws. */
  release(): Promise<void>;
}

/** Releases what `spec` names; throws what the API said if it could not. */
export async function releasePod(api: KubeApi, spec: ReleaseSpec): Promise<string> {
  if (spec.holder) return `shared pod ${spec.pod}: ${await leaveShared(api, spec, spec.holder)}`;
  return `pod ${spec.pod}: ${await deletePod(api, spec)}`;
}

export async function startOnDemandPod(api: KubeApi, request: OnDemandRequest): Promise<OnDemandPod> {
  const options = templateOptions(request.template);
  const holder = options.shared ? newHolderId() : undefined;
  const rendered = renderPod({
    template: request.template,
    options,
    namespace: request.namespace,
    owner: request.owner,
    hostname: request.hostname,
    ...(request.container === undefined ? {} : { container: request.container }),
    watchdogScript: watchdogScript(),
    now: (request.now ?? (() => new Date()))(),
    ...(holder ? { shared: { key: sharedKey(request.owner, request.namespace, request.hostname), holder } } : {}),
  });
  // Finished pods of earlier connections go while this one starts (one LIST; never waited for long).
  const sweeping = sweepNamespace(api, request.namespace);

  let made: { pod: Pod; created: boolean };
  if (holder) made = await joinOrCreateShared(api, rendered.manifest, holder, request.template);
  else made = { pod: await createPod(api, rendered.manifest, request.template), created: true };
  const spec: ReleaseSpec = { namespace: request.namespace, pod: made.pod.metadata.name ?? '', podUid: made.pod.metadata.uid ?? '', ...(holder ? { holder } : {}) };
  log.info(`${made.created ? 'created' : 'joined'} pod ${spec.pod} from template ${request.template.name} in namespace ${spec.namespace}`);

  let released: Promise<void> | undefined;
  let workstation: Workstation | undefined;
  const release = (): Promise<void> => {
    workstation?.stop();
    released ??= releasePod(api, spec).then(
      (outcome) => log.debug(`released ${outcome}`),
      (error: unknown) => log.error(`could not delete pod ${spec.pod} in namespace ${spec.namespace}: ${(error as Error).message} (sshpod cleanup removes it later; its safeguard ends it)`),
    );
    return released;
  };
  request.onCreated?.(spec);
  try {
    if (request.signal?.aborted) throw request.signal.reason;
    await waitForPod(
      api,
      { namespace: spec.namespace, pod: spec.pod, container: rendered.container, template: request.template.name, source: request.template.source },
      spec.podUid,
      { timeoutMs: request.startTimeoutMs, ...(request.onProgress ? { onProgress: request.onProgress } : {}), ...(request.signal ? { signal: request.signal } : {}) },
    );
    // A kubectl workstation: its kubeconfig before anyone connects (every connection to a shared
    // pod delivers and renews it too, so that it outlives the one that made the pod).
    const workstationWanted = workstationOptions(request.template);
    if (workstationWanted) {
      workstation = await startWorkstation(
        api,
        { namespace: spec.namespace, pod: spec.pod, podUid: spec.podUid, container: rendered.container, template: request.template.name, user: request.owner.kubeUser ?? request.owner.local },
        workstationWanted,
      );
      if (request.signal?.aborted) throw request.signal.reason;
    }
  } catch (error) {
    await release();
    throw error;
  } finally {
    await sweeping;
  }
  return { ...spec, container: rendered.container, shared: options.shared, idleSeconds: options.idleSeconds, created: made.created, release };
}
