// What the page's picker offers: namespaces of a context, and the pods, workloads and templates of a
// namespace, each turned into the hostname sshpod's grammar gives it (the page opens hostnames
// only). One LIST per kind, in parallel; a kind RBAC hides is reported beside the others, not fatal.
import type { KubeApi } from '../kube/api.ts';
import type { List, Pod } from '../kube/types.ts';
import { podsPath } from '../kube/paths.ts';
import { isSshpodError } from '../errors.ts';
import { isRunning } from '../resolve/choose-pod.ts';

/** More than a picker can show; the API server stops there. */
const LIST_LIMIT = '500';

export interface CatalogEntry {
  kind: 'pod' | 'deployment' | 'statefulset' | 'daemonset' | 'template';
  name: string;
  /** Pods: their containers; a pod's state in a word. */
  containers?: string[];
  state?: string;
}

export interface Catalog {
  entries: CatalogEntry[];
  /** Kinds that could not be listed, with the API's reason in a line. */
  refused: string[];
}

const WORKLOADS = [
  { kind: 'deployment', path: 'apps/v1', plural: 'deployments' },
  { kind: 'statefulset', path: 'apps/v1', plural: 'statefulsets' },
  { kind: 'daemonset', path: 'apps/v1', plural: 'daemonsets' },
] as const;

function why(error: unknown): string {
  return isSshpodError(error) ? error.message : (error as Error).message;
}

export async function listNamespaces(api: KubeApi, fallback: string): Promise<{ names: string[]; refused?: string }> {
  try {
    const list = await api.get<List<{ metadata: { name?: string } }>>('/api/v1/namespaces', { verb: 'list', resource: 'namespaces', namespace: '' }, new URLSearchParams({ limit: LIST_LIMIT }));
    const names = list.items.map((n) => n.metadata.name ?? '').filter(Boolean).sort();
    return { names: names.includes(fallback) ? names : [fallback, ...names] };
  } catch (error) {
    // Many people may not list namespaces; their own one still works.
    return { names: [fallback], refused: why(error) };
  }
}

export async function listTargets(api: KubeApi, namespace: string, templates: string[]): Promise<Catalog> {
  const refused: string[] = [];
  const query = new URLSearchParams({ limit: LIST_LIMIT });
  const pods = api.get<List<Pod>>(podsPath(namespace), { verb: 'list', resource: 'pods', namespace }, query).then(
    (list) =>
      list.items
        .filter((pod) => !pod.metadata.deletionTimestamp)
        .map((pod): CatalogEntry => ({
          kind: 'pod',
          name: pod.metadata.name ?? '',
          containers: (pod.spec?.containers ?? []).map((c) => c.name),
          state: isRunning(pod) ? 'Running' : (pod.status?.phase ?? 'Unknown'),
        })),
    (error: unknown) => {
      refused.push(`pods: ${why(error)}`);
      return [];
    },
  );
  const workloads = WORKLOADS.map(({ kind, path, plural }) =>
    api.get<List<{ metadata: { name?: string } }>>(`/apis/${path}/namespaces/${encodeURIComponent(namespace)}/${plural}`, { verb: 'list', resource: `${plural}.apps`, namespace }, query).then(
      (list) => list.items.map((item): CatalogEntry => ({ kind, name: item.metadata.name ?? '' })),
      (error: unknown) => {
        refused.push(`${plural}: ${why(error)}`);
        return [];
      },
    ),
  );
  const lists = await Promise.all([pods, ...workloads]);
  const entries = [...lists.flat().filter((e) => e.name !== ''), ...templates.map((name): CatalogEntry => ({ kind: 'template', name }))];
  return { entries, refused };
}
