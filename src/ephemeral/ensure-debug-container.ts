// Gets sshpod's ephemeral container running beside a container without a shell: reuses the one
// sshpod added before (ephemeral containers cannot be removed, so a second is added only when
// the first has ended — it ends with its target), else adds it through the pods/ephemeralcontainers
// subresource, as `kubectl debug --target` does (PATCH, RBAC verb `patch`), then waits until it
// runs. One GET when it runs already; a PATCH and a few GETs the first time.
//
// Every refusal is a message: RBAC (naming the verb and subresource), a cluster that does not
// serve ephemeral containers (404 for the subresource: feature off, Kubernetes before 1.23), an
// image that cannot be pulled (naming SSHPOD_DEBUG_IMAGE), and a container that never starts.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeApi } from '../kube/api.ts';
import type { Operation } from '../kube/api-error.ts';
import { podPath } from '../kube/paths.ts';
import type { Pod } from '../kube/types.ts';
import { SshpodError, isSshpodError } from '../errors.ts';
import { log } from '../log.ts';
import { seconds, stepTimeoutMs, TIMEOUT_HINT } from '../timeout.ts';
import { describeTarget, type TargetRef } from '../target/target-ref.ts';
import { addPatch, debugContainerSpec, debugState, decide, refusedByPolicy } from './debug-container.ts';

const POLL_MS = 250;

function noShell(target: TargetRef): string {
  return `${describeTarget(target)} has no shell (sh)`;
}

const otherWay = 'or target a container that has a shell (container--NAME)';

/** The PATCH failed: in words for the person at the ssh prompt. */
export function patchError(error: unknown, target: TargetRef, image: string): unknown {
  if (!isSshpodError(error)) return error;
  const subresource = 'pods/ephemeralcontainers';
  if ((error.kind === 'forbidden' || error.kind === 'api') && refusedByPolicy(error.message)) {
    const detail = error.message.replace(/^[^:]*: /, '');
    return new SshpodError('forbidden', `${noShell(target)}, and the namespace's admission policy refuses the ephemeral container sshpod would run sshd in (root, image ${image}): ${detail}`, {
      hint: `a namespace enforcing PodSecurity "restricted" forbids containers running as root, which the view needs (kubectl debug is refused there too): ask your cluster admin, ${otherWay}`,
      cause: error,
    });
  }
  if (error.kind === 'forbidden') {
    return new SshpodError('forbidden', `${noShell(target)}, and you may not add the ephemeral container sshpod would run sshd in: RBAC denies "patch" on "${subresource}"`, {
      hint: `ask your cluster admin for "patch" on "${subresource}" in namespace "${target.namespace}" (kubectl debug needs it too), ${otherWay}`,
      cause: error,
    });
  }
  if (error.kind === 'not-found' && /could not find the requested resource/i.test(error.message)) {
    return new SshpodError('container', `${noShell(target)}, and this cluster does not serve ephemeral containers (${subresource}: 404), which sshpod needs to reach it`, {
      hint: `ephemeral containers need Kubernetes 1.23+ (or the EphemeralContainers feature gate on 1.16-1.22); ${otherWay}`,
      cause: error,
    });
  }
  if (error.kind === 'api' && /Invalid|422/.test(error.message)) {
    return new SshpodError('container', `${noShell(target)}, and the API server refused the ephemeral container sshpod would run sshd in (image ${image}): ${error.message}`, {
      hint: `check SSHPOD_DEBUG_IMAGE, ${otherWay}`,
      cause: error,
    });
  }
  return error;
}

async function getPod(api: KubeApi, target: TargetRef): Promise<Pod> {
  const operation: Operation = { verb: 'get', resource: 'pods', namespace: target.namespace, name: target.pod };
  const pod = await api.get<Pod>(podPath(target.namespace, target.pod), operation);
  if (pod.metadata.uid && pod.metadata.uid !== target.podUid) {
    throw new SshpodError('not-found', `the pod "${target.pod}" in namespace "${target.namespace}" was replaced while sshpod was preparing it`, { hint: 'connect again' });
  }
  return pod;
}

/** The name of sshpod's running ephemeral container for `target` (adding it when there is none). */
export async function ensureDebugContainer(api: KubeApi, target: TargetRef, image: string): Promise<string> {
  let pod = await getPod(api, target);
  const decision = decide(pod, target.container, image);
  let name: string;
  if ('use' in decision) {
    name = decision.use;
    log.debug(`reusing ephemeral container ${name} for ${describeTarget(target)}`);
  } else {
    name = decision.add;
    log.info(`${noShell(target)}: adding ephemeral container ${name} (image ${image}) that shares its process namespace`);
    const operation: Operation = { verb: 'patch', resource: 'pods/ephemeralcontainers', namespace: target.namespace, name: target.pod };
    const add = (ptrace: boolean): Promise<Pod> =>
      api.request<Pod>('PATCH', podPath(target.namespace, target.pod, 'ephemeralcontainers'), operation, {
        body: addPatch(debugContainerSpec(name, target.container, image, ptrace)),
        contentType: 'application/strategic-merge-patch+json',
      });
    try {
      // With SYS_PTRACE first (a target of another user needs it); where a policy (PodSecurity
      // "baseline") refuses that capability, nothing was added: the same name again, without it.
      pod = await add(true).catch((error: unknown) => {
        if (!isSshpodError(error) || !refusedByPolicy(error.message)) throw error;
        log.debug(`the namespace's policy refused SYS_PTRACE for ${name}, adding it without: ${error.message}`);
        return add(false);
      });
    } catch (error) {
      throw patchError(error, target, image);
    }
    // Kubernetes 1.16-1.22 served this subresource with another kind (EphemeralContainers); such a
    // server answers without our container in the pod's spec.
    if (!pod.spec?.ephemeralContainers?.some((c) => c.name === name)) {
      throw new SshpodError('container', `${noShell(target)}, and this cluster's ephemeral containers API is an older one (before Kubernetes 1.23) that sshpod does not speak`, {
        hint: `attach a debug container yourself: kubectl debug -it ${target.pod} -n ${target.namespace} --image=busybox --target=${target.container}; ${otherWay}`,
      });
    }
  }
  // Pulling an image may take longer than one step: twice the step timeout.
  const limitMs = 2 * stepTimeoutMs();
  const started = Date.now();
  for (;;) {
    const state = debugState(pod, name);
    if (state.state === 'running') return name;
    if (state.state === 'failed') {
      throw new SshpodError('container', `${noShell(target)}, and sshpod's ephemeral container ${name} cannot start (${state.reason}${state.message ? `: ${state.message}` : ''})`, {
        hint: /Image|Pull/.test(state.reason)
          ? `set SSHPOD_DEBUG_IMAGE to an image with a shell this cluster can pull (default busybox:1.36; a private registry works through the pod's imagePullSecrets), then connect again; the failed container stays in the pod (ephemeral containers cannot be removed)`
          : `see why with: kubectl describe pod ${target.pod} -n ${target.namespace}`,
      });
    }
    if (state.state === 'ended') {
      throw new SshpodError('container', `sshpod's ephemeral container ${name} in pod "${target.pod}" has ended (${state.reason})`, { hint: 'connect again: sshpod adds a new one' });
    }
    if (Date.now() - started > limitMs) {
      throw new SshpodError('timeout', `sshpod's ephemeral container ${name} in pod "${target.pod}" did not start within ${seconds(limitMs)} (${state.reason})`, { hint: TIMEOUT_HINT });
    }
    await sleep(POLL_MS);
    pod = await getPod(api, target);
  }
}
