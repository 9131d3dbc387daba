// How a pod sshpod made says so, in one place: the label every tool knows
// (`app.kubernetes.io/managed-by=sshpod`, so that one LIST with a label selector finds them all),
// and sshpod's own labels (selectable: template, owner, shared key) and annotations (exact values:
// who, from which hostname and template, when, the safeguard's time, who shares it). Labels hold
// only short, restricted values; the exact owner is in an annotation beside its label form.
import { createHash } from 'node:crypto';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'sshpod';
/** The LIST selector for every pod sshpod made. */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;

const PREFIX = 'sshpod/';
export const LABELS = {
  template: `${PREFIX}template`,
  /** The owner in label form (ownerLabelValue): for "my pods" selectors. */
  owner: `${PREFIX}owner`,
  /** A shared template's pod: the hash of what it is shared for (sharedKey). */
  share: `${PREFIX}share`,
} as const;

export const ANNOTATIONS = {
  owner: `${PREFIX}owner`,
  kubeUser: `${PREFIX}kube-user`,
  hostname: `${PREFIX}hostname`,
  /** The container sshpod connects to. */
  container: `${PREFIX}container`,
  createdAt: `${PREFIX}created-at`,
  /** Read from the template: "true" shares one pod among the connections to a hostname. */
  shared: `${PREFIX}shared`,
  /** Read from the template, written on the pod: the safeguard's seconds without an ssh session. */
  idleTimeout: `${PREFIX}idle-timeout`,
  /** A shared pod's current connections, space-separated ids (shared-holders.ts). */
  holders: `${PREFIX}holders`,
} as const;

/** Who a pod is made for: the person on this machine, and the Kubernetes user where known. */
export interface Owner {
  /** `user@host` on the machine the connection comes from (or the gateway's user). */
  local: string;
  /** The kubeconfig user (or the impersonated user) the pod was made as, when known. */
  kubeUser?: string;
}

/** A label value (at most 63 of [A-Za-z0-9._-], alphanumeric at both ends) that stands for `text`. */
export function labelValue(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned === '' ? 'unknown' : cleaned;
}

export function ownerLabelValue(owner: Owner): string {
  return labelValue(owner.local);
}

/** The key connections share a shared template's pod by: the same person, context view and hostname. */
export function sharedKey(owner: Owner, namespace: string, canonicalHostname: string): string {
  return createHash('sha256').update(`${owner.local}\0${namespace}\0${canonicalHostname}`).digest('hex').slice(0, 20);
}
