// The names completion offers, read from the cluster: one LIST per kind for the whole scope —
// all namespaces at once, or the one namespace a hostname gives — never a call per pod or per
// namespace. Someone whose RBAC refuses cluster-wide lists (a namespace-scoped Role) gets the
// lists of the context's namespace instead; a kind that cannot be listed is left out.
import type { ApiConnection } from '../kube/connection.ts';
import { isSshpodError } from '../errors.ts';
import type { Inventory, Listed, ListedKind } from './inventory.ts';
import { LISTED_KINDS } from './inventory.ts';

const API_PATH: Record<ListedKind, { base: string; resource: string }> = {
  pod: { base: '/api/v1', resource: 'pods' },
  deployment: { base: '/apis/apps/v1', resource: 'deployments' },
  statefulset: { base: '/apis/apps/v1', resource: 'statefulsets' },
  daemonset: { base: '/apis/apps/v1', resource: 'daemonsets' },
  job: { base: '/apis/batch/v1', resource: 'jobs' },
};

interface ObjectList {
  items?: Array<{
    metadata?: { name?: string; namespace?: string };
    spec?: { containers?: Array<{ name?: string }>; template?: { spec?: { containers?: Array<{ name?: string }> } } };
    status?: { phase?: string };
  }>;
}

function listPath(kind: ListedKind, namespace: string | undefined): string {
  const { base, resource } = API_PATH[kind];
  return namespace === undefined ? `${base}/${resource}` : `${base}/namespaces/${encodeURIComponent(namespace)}/${resource}`;
}

function toListed(kind: ListedKind, list: ObjectList): Listed[] {
  const out: Listed[] = [];
  for (const item of list.items ?? []) {
    const name = item.metadata?.name;
    const namespace = item.metadata?.namespace;
    if (typeof name !== 'string' || typeof namespace !== 'string') continue;
    // A finished pod cannot be reached; offering it would only lead to an error.
    if (kind === 'pod' && (item.status?.phase === 'Succeeded' || item.status?.phase === 'Failed')) continue;
    const containers = (kind === 'pod' ? item.spec?.containers : item.spec?.template?.spec?.containers) ?? [];
    out.push({ kind, namespace, name, containers: containers.map((c) => c.name).filter((n): n is string => typeof n === 'string') });
  }
  return out;
}

async function listKind(connection: ApiConnection, kind: ListedKind, namespace: string | undefined, fallbackNamespace: string): Promise<Listed[]> {
  const operation = { verb: 'list' as const, resource: API_PATH[kind].resource, namespace: namespace ?? '(all)' };
  try {
    return toListed(kind, await connection.get<ObjectList>(listPath(kind, namespace), operation));
  } catch (error) {
    if (namespace !== undefined || !isSshpodError(error) || error.kind !== 'forbidden') throw error;
    return toListed(kind, await connection.get<ObjectList>(listPath(kind, fallbackNamespace), { ...operation, namespace: fallbackNamespace }));
  }
}

async function listNamespaces(connection: ApiConnection): Promise<string[] | undefined> {
  const list = await connection.get<ObjectList>('/api/v1/namespaces', { verb: 'list', resource: 'namespaces', namespace: '' });
  return (list.items ?? []).map((item) => item.metadata?.name).filter((n): n is string => typeof n === 'string');
}

/**
 * The inventory of `namespace` (all namespaces when undefined); `fallbackNamespace` is the
 * context's own. Throws only when nothing at all could be listed.
 */
export async function listInventory(connection: ApiConnection, namespace: string | undefined, fallbackNamespace: string): Promise<Inventory> {
  const results = await Promise.allSettled([listNamespaces(connection), ...LISTED_KINDS.map((kind) => listKind(connection, kind, namespace, fallbackNamespace))]);
  const [namespaces, ...kinds] = results;
  if (results.every((r) => r.status === 'rejected')) throw (results[0] as PromiseRejectedResult).reason;
  return {
    namespaces: namespaces?.status === 'fulfilled' ? namespaces.value : undefined,
    items: kinds.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])),
  };
}
