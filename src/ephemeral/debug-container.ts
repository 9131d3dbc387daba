// The ephemeral container sshpod adds to a pod whose target container has no shell (distroless,
// scratch): what it is, what it is called, and what the pod says about it. Pure.
//
// It is what `kubectl debug --target=C` adds: an image with a shell, `targetContainerName` set so
// that it shares C's PID namespace (through which sshd reaches C's root filesystem and
// environment, see the prepare script's view mode). Its command only holds it open; sshd runs
// in it through exec. Ephemeral containers cannot be removed from a pod, so the spec is fixed
// (the same for every connection): two connections adding it at the same moment send the same
// strategic-merge patch, keyed by name, and the second changes nothing — there is never a
// second one for the same target while the first can serve.
import { createHash } from 'node:crypto';
import type { EphemeralContainerSpec, Pod } from '../kube/types.ts';
import { SshpodError } from '../errors.ts';

/** The image unless SSHPOD_DEBUG_IMAGE names another: small, multi-arch, with sh and its applets. */
export const DEFAULT_DEBUG_IMAGE = 'busybox:1.36';

/** Set on sshpod's ephemeral containers, with the target's name: tells them from anyone else's. */
export const MARKER_VARIABLE = 'SSHPOD_VIEW_OF';

/** Holds the container open; sshd and its sessions come through exec. */
export const HOLD_COMMAND = ['sh', '-c', 'while :; do sleep 3600; done'];

export function debugImage(environment: NodeJS.ProcessEnv = process.env): string {
  const value = environment['SSHPOD_DEBUG_IMAGE']?.trim();
  if (value === undefined || value === '') return DEFAULT_DEBUG_IMAGE;
  if (value.length > 512 || !/^[A-Za-z0-9][A-Za-z0-9._\-/:@+]*$/.test(value)) {
    throw new SshpodError('usage', `SSHPOD_DEBUG_IMAGE is "${value.slice(0, 60)}", which is not an image reference`, {
      hint: 'set it to an image with a shell your cluster can pull, e.g. registry.example.com/mirror/busybox:1.36, or unset it',
    });
  }
  return value;
}

/** `sshpod-<target>`, the n-th (n > 1) with `-<n>`; a DNS label of at most 63 characters. */
export function debugContainerName(target: string, n = 1): string {
  const suffix = n > 1 ? `-${n}` : '';
  const plain = `sshpod-${target}${suffix}`;
  if (plain.length <= 63) return plain;
  const hash = createHash('sha256').update(target).digest('hex').slice(0, 8);
  return `sshpod-${target.slice(0, 63 - 'sshpod-'.length - hash.length - 1 - suffix.length).replace(/-+$/, '')}-${hash}${suffix}`;
}

/**
 * With `ptrace`, it holds SYS_PTRACE (as `kubectl debug --profile=general` does): root enters the
 * root filesystem and environment of a target that runs as another user (distroless `:nonroot`)
 * through /proc/1, which the kernel opens to other users only with that capability.
 */
export function debugContainerSpec(name: string, target: string, image: string, ptrace = false): EphemeralContainerSpec {
  return {
    name,
    image,
    command: HOLD_COMMAND,
    targetContainerName: target,
    env: [{ name: MARKER_VARIABLE, value: target }],
    ...(ptrace ? { securityContext: { capabilities: { add: ['SYS_PTRACE'] } } } : {}),
  };
}

/** An admission policy (PodSecurity, a policy webhook) refused the spec — not RBAC the verb. */
export function refusedByPolicy(message: string): boolean {
  return /violates PodSecurity|admission webhook "[^"]*" denied/i.test(message);
}

/** The strategic-merge patch of pods/ephemeralcontainers that adds `spec` (merged by name). */
export function addPatch(spec: EphemeralContainerSpec): string {
  return JSON.stringify({ spec: { ephemeralContainers: [spec] } });
}

export type DebugState = { state: 'running' } | { state: 'starting'; reason: string } | { state: 'failed'; reason: string; message: string } | { state: 'ended'; reason: string };

/** Waiting reasons after which the container will not start without someone changing something. */
const HOPELESS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

export function debugState(pod: Pod, name: string): DebugState {
  const status = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === name);
  const state = status?.state;
  if (state?.running) return { state: 'running' };
  if (state?.terminated) return { state: 'ended', reason: state.terminated.reason ?? `exit code ${state.terminated.exitCode ?? '?'}` };
  const reason = state?.waiting?.reason ?? 'ContainerCreating';
  if (HOPELESS.has(reason)) return { state: 'failed', reason, message: state?.waiting?.message ?? '' };
  return { state: 'starting', reason };
}

/** What to do for `target`: use (or wait for) one of ours, or add one named `add`. */
export type DebugDecision = { use: string } | { add: string };

export function decide(pod: Pod, target: string, image: string): DebugDecision {
  const ephemeral = pod.spec?.ephemeralContainers ?? [];
  const ours = ephemeral.filter((c) => c.targetContainerName === target && c.env?.some((e) => e.name === MARKER_VARIABLE && e.value === target));
  // The newest of ours that can still serve: not over (they cannot restart; a target that
  // restarted ended them), and not stuck on an image the person has since replaced.
  for (const container of [...ours].reverse()) {
    const state = debugState(pod, container.name).state;
    if (state === 'ended' || (state === 'failed' && container.image !== image)) continue;
    return { use: container.name };
  }
  const taken = new Set([...(pod.spec?.containers ?? []), ...ephemeral].map((c) => c.name));
  let n = 1;
  while (taken.has(debugContainerName(target, n))) n++;
  return { add: debugContainerName(target, n) };
}
