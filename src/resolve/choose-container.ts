// Which container of a pod to enter: the one the hostname names, else the one kubectl would pick
// (the `kubectl.kubernetes.io/default-container` annotation), else the only one.
import type { Pod } from '../kube/types.ts';
import { SshpodError } from '../errors.ts';

export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

export function chooseContainer(pod: Pod, wanted: string | undefined): string {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const podName = pod.metadata.name ?? '';
  if (wanted !== undefined) {
    if (names.includes(wanted)) return wanted;
    throw new SshpodError('not-found', `pod "${podName}" has no container "${wanted}"; its containers: ${names.join(', ')}`, {
      hint: `use container--NAME with one of: ${names.join(', ')}`,
    });
  }
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && names.includes(annotated)) return annotated;
  if (names.length === 1) return names[0] as string;
  throw new SshpodError('usage', `pod "${podName}" has ${names.length} containers (${names.join(', ')}); say which one`, {
    hint: `prefix the hostname with container--NAME, e.g. container--${names[0] ?? 'NAME'}.pod--${podName}.sshpod`,
  });
}
