// Names become paths in the state directory and arguments of the setup scripts: only
// Kubernetes-shaped names get that far.
import { isImageName } from '../images/catalog.ts';
import type { PodSpecForRuntime } from '../types.ts';

const safeName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function checkPodSpec(spec: PodSpecForRuntime): void {
  const check = (what: string, name: string): void => {
    if (!safeName.test(name) || name.length > 253) throw new Error(`invalid ${what} ${JSON.stringify(name)} in pod ${spec.namespace}/${spec.name}`);
  };
  check('pod uid', spec.uid);
  check('hostname', spec.hostname);
  if (spec.hostname.length > 64) throw new Error(`hostname ${JSON.stringify(spec.hostname)} is longer than 64 characters`);
  if (spec.containers.length === 0) throw new Error(`pod ${spec.namespace}/${spec.name} has no containers`);
  const seen = new Set<string>();
  for (const container of spec.containers) {
    check('container name', container.name);
    if (seen.has(container.name)) throw new Error(`two containers are named ${JSON.stringify(container.name)} in pod ${spec.namespace}/${spec.name}`);
    seen.add(container.name);
    if (!isImageName(container.image)) throw new Error(`unknown test image ${JSON.stringify(container.image)}`);
  }
  for (const volume of spec.volumes) check('volume name', volume.name);
}
