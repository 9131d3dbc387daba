// What completion knows about a cluster: the names it lists, per context and scope (one namespace,
// or all of them). The listing and the cache live in their own files; this is the shape they share.
import type { WorkloadKind } from '../target/hostname.ts';

/** The kinds completion lists. ReplicaSets are left out: their deployments name the same pods. */
export const LISTED_KINDS = ['pod', 'deployment', 'statefulset', 'daemonset', 'job'] as const satisfies readonly WorkloadKind[];
export type ListedKind = (typeof LISTED_KINDS)[number];

export interface Listed {
  kind: ListedKind;
  namespace: string;
  name: string;
  /** The pod's containers, or those of a workload's pod template. */
  containers: string[];
}

export interface Inventory {
  /** Undefined when listing namespaces was not allowed. */
  namespaces: string[] | undefined;
  items: Listed[];
}

export const EMPTY_INVENTORY: Inventory = { namespaces: undefined, items: [] };

/** Namespaces worth offering: the listed ones, else those seen in items, and always the current one. */
export function knownNamespaces(inventory: Inventory, current: string): string[] {
  const names = new Set(inventory.namespaces ?? inventory.items.map((item) => item.namespace));
  names.add(current);
  return [...names];
}
