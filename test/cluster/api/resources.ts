// The resource types the test cluster serves: the single table discovery, routing, validation,
// defaulting and the generic REST handler read. Adding a plain stored resource is one entry here.

export type Subresource = 'status' | 'scale' | 'exec' | 'attach' | 'portforward' | 'log' | 'ephemeralcontainers' | 'token';

export interface ResourceType {
  group: string; // '' is the core group
  version: string;
  resource: string; // plural, lower case: the URL segment
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources: Subresource[];
  /** Name rule kube-apiserver applies: most objects are DNS-1123 subdomains, a few are labels, RBAC's are path segments. */
  nameRule: 'subdomain' | 'label' | 'path';
  /** apps and batch objects carry metadata.generation, bumped on every spec change. */
  generation: boolean;
  /** Only `create` exists (e.g. SelfSubjectAccessReview). */
  createOnly?: boolean;
}

const rw = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const resourceTypes: readonly ResourceType[] = [
  { group: '', version: 'v1', resource: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], subresources: ['status'], nameRule: 'label', generation: false },
  { group: '', version: 'v1', resource: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'], subresources: ['status', 'exec', 'attach', 'portforward', 'log', 'ephemeralcontainers'], nameRule: 'subdomain', generation: false },
  { group: '', version: 'v1', resource: 'services', singular: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'], subresources: ['status'], nameRule: 'label', generation: false },
  { group: '', version: 'v1', resource: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], subresources: [], nameRule: 'subdomain', generation: false },
  { group: '', version: 'v1', resource: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true, subresources: [], nameRule: 'subdomain', generation: false },
  { group: '', version: 'v1', resource: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'], subresources: ['token'], nameRule: 'subdomain', generation: false },
  { group: '', version: 'v1', resource: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], subresources: [], nameRule: 'subdomain', generation: false },
  { group: '', version: 'v1', resource: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], subresources: ['status'], nameRule: 'subdomain', generation: false },
  { group: 'apps', version: 'v1', resource: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'], nameRule: 'subdomain', generation: true },
  { group: 'apps', version: 'v1', resource: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'], nameRule: 'subdomain', generation: true },
  { group: 'apps', version: 'v1', resource: 'statefulsets', singular: 'statefulset', kind: 'StatefulSet', namespaced: true, shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'], nameRule: 'subdomain', generation: true },
  { group: 'apps', version: 'v1', resource: 'daemonsets', singular: 'daemonset', kind: 'DaemonSet', namespaced: true, shortNames: ['ds'], categories: ['all'], subresources: ['status'], nameRule: 'subdomain', generation: true },
  { group: 'batch', version: 'v1', resource: 'jobs', singular: 'job', kind: 'Job', namespaced: true, categories: ['all'], subresources: ['status'], nameRule: 'subdomain', generation: true },
  // RBAC objects are stored and validated (so manifests such as deploy/gateway/ can be applied and
  // dry-run), but they do not authorise: the cluster's allow()/deny() table does (authz.ts).
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', singular: 'clusterrole', kind: 'ClusterRole', namespaced: false, subresources: [], nameRule: 'path', generation: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', singular: 'clusterrolebinding', kind: 'ClusterRoleBinding', namespaced: false, subresources: [], nameRule: 'path', generation: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', singular: 'role', kind: 'Role', namespaced: true, subresources: [], nameRule: 'path', generation: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', singular: 'rolebinding', kind: 'RoleBinding', namespaced: true, subresources: [], nameRule: 'path', generation: false },
  { group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview', kind: 'SelfSubjectAccessReview', namespaced: false, subresources: [], nameRule: 'subdomain', generation: false, createOnly: true },
];

export function verbsOf(type: ResourceType): string[] {
  return type.createOnly ? ['create'] : rw;
}

export function apiVersionOf(type: { group: string; version: string }): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** `pods`, `deployments.apps`: how kube-apiserver names a GroupResource in messages. */
export function qualifiedResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

/** `Pod`, `Deployment.apps`: a GroupKind in messages (e.g. 422 Invalid). */
export function qualifiedKind(group: string, kind: string): string {
  return group ? `${kind}.${group}` : kind;
}

export function findResource(group: string, version: string, resource: string): ResourceType | undefined {
  return resourceTypes.find((t) => t.group === group && t.version === version && t.resource === resource);
}

export function findKind(apiVersion: string, kind: string): ResourceType | undefined {
  return resourceTypes.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}

export function resourceByName(resource: string): ResourceType | undefined {
  return resourceTypes.find((t) => t.resource === resource);
}

/** Identity of a resource type, used as a store key prefix. */
export function typeKey(type: { group: string; resource: string }): string {
  return `${type.group}/${type.resource}`;
}
