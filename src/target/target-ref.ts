// One container of one pod incarnation: what every step after resolution works on — preparing
// the container, the port-forward, the remembered sshd, messages. The pod uid tells incarnations
// apart: a pod recreated under the same name is another target.
export interface TargetRef {
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
}

export function sameContainer(a: TargetRef, b: TargetRef): boolean {
  return a.namespace === b.namespace && a.pod === b.pod && a.podUid === b.podUid && a.container === b.container;
}

/** `container "c" of pod "p"`, as messages name a target. */
export function describeTarget(target: Pick<TargetRef, 'pod' | 'container'>): string {
  return `container "${target.container}" of pod "${target.pod}"`;
}
