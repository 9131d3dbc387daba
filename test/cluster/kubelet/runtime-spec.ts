// Pod → the runtime's PodSpecForRuntime: image names, resolved environment, security context,
// emptyDir volumes and the `sshpod.test/*` annotation knobs. Pure; a problem the pod's owner
// must fix comes back as a waiting reason (ErrImagePull, CreateContainerConfigError) instead.
import type { ContainerSpec, PodSpecForRuntime, VolumeSpec } from '../runtime/types.ts';
import type { EphemeralContainer, Pod } from '../api/types.ts';
import { imageNameOf, imagePullMessage } from './image-name.ts';
import { EnvError, containerEnv, expandCommand } from './container-env.ts';
import type { EnvSources, ServiceForEnv } from './container-env.ts';
import type { WaitingReason } from './pod-status.ts';

/** Pod annotations that turn on test-only container options. */
export const knobAnnotations = {
  noexecTmp: 'sshpod.test/noexec-tmp',
  readOnlyTmp: 'sshpod.test/readonly-tmp',
} as const;

function annotationOn(pod: Pod, key: string): boolean {
  return pod.metadata.annotations?.[key] === 'true';
}

export function podHostname(pod: Pod): string {
  return (pod.spec.hostname ?? pod.metadata.name).slice(0, 63);
}

export interface RuntimeSpecInput {
  podIP: string;
  hostIP: string;
  services: ServiceForEnv[];
  sources: EnvSources;
}

export function runtimeSpec(pod: Pod, input: RuntimeSpecInput): { spec: PodSpecForRuntime } | { waiting: WaitingReason } {
  const volumes: VolumeSpec[] = [];
  for (const v of pod.spec.volumes ?? []) {
    if (!v.emptyDir) {
      return { waiting: { reason: 'CreateContainerConfigError', message: `volume "${v.name}": only emptyDir volumes exist in the sshpod test cluster` } };
    }
    volumes.push({ name: v.name, emptyDir: { medium: v.emptyDir.medium === 'Memory' ? 'Memory' : '' } });
  }
  const hostname = podHostname(pod);
  const containers: ContainerSpec[] = [];
  for (const c of pod.spec.containers) {
    const built = containerSpec(pod, c, input);
    if ('waiting' in built) return built;
    containers.push(built.spec);
  }
  const unknownMount = containers.flatMap((c) => c.volumeMounts).find((m) => !volumes.some((v) => v.name === m.name));
  if (unknownMount) return { waiting: { reason: 'CreateContainerConfigError', message: `volume mount "${unknownMount.name}" refers to no volume of the pod` } };
  return {
    spec: { uid: pod.metadata.uid, namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name, hostname, volumes, containers, podIP: input.podIP },
  };
}

/** One container (regular or ephemeral) of the pod, for the runtime; an ephemeral container's
 *  targetContainerName goes with it. */
export function containerSpec(pod: Pod, c: EphemeralContainer, input: RuntimeSpecInput): { spec: ContainerSpec } | { waiting: WaitingReason } {
  const hostname = podHostname(pod);
  const image = imageNameOf(c.image ?? '');
  if (!image) return { waiting: { reason: 'ErrImagePull', message: imagePullMessage(c.image ?? '') } };
  let env: Record<string, string>;
  try {
    env = { HOSTNAME: hostname, ...containerEnv(pod, c, input) };
  } catch (error) {
    if (error instanceof EnvError) return { waiting: { reason: 'CreateContainerConfigError', message: error.message } };
    throw error;
  }
  const sc = c.securityContext ?? {};
  const podSc = pod.spec.securityContext ?? {};
  const spec: ContainerSpec = {
    name: c.name,
    image,
    env,
    volumeMounts: (c.volumeMounts ?? []).map((m) => {
      const mount: { name: string; mountPath: string; readOnly?: boolean } = { name: m.name, mountPath: m.mountPath };
      if (m.readOnly) mount.readOnly = true;
      return mount;
    }),
  };
  const command = expandCommand(c.command, env);
  const args = expandCommand(c.args, env);
  if (command) spec.command = command;
  if (args) spec.args = args;
  if (c.workingDir) spec.workingDir = c.workingDir;
  const uid = sc.runAsUser ?? podSc.runAsUser;
  const gid = sc.runAsGroup ?? podSc.runAsGroup;
  if (uid !== undefined) spec.runAsUser = uid;
  if (gid !== undefined) spec.runAsGroup = gid;
  if (sc.readOnlyRootFilesystem) spec.readOnlyRootFilesystem = true;
  if (annotationOn(pod, knobAnnotations.noexecTmp)) spec.noexecTmp = true;
  if (annotationOn(pod, knobAnnotations.readOnlyTmp)) spec.readOnlyTmp = true;
  if (c.targetContainerName !== undefined) spec.targetContainerName = c.targetContainerName;
  return { spec };
}
