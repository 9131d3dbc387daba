// The API connections `sshpod ls` and `sshpod cleanup` need: one per kubeconfig context they look
// at (the kubeconfig is read anew for each, since choosing a context changes it), opened lazily
// and kept; a context that cannot be used is remembered with the reason, so that each thing in
// it is reported as unreachable instead of failing the whole command.
import { loadKubeConfig, selectContext, type SelectedContext } from '../kube/kubeconfig.ts';
import { ApiConnection } from '../kube/connection.ts';
import { sshpodPaths } from '../ssh/paths.ts';
import { saidOf } from './said.ts';

export type Cluster = { context: string; namespace: string; api: ApiConnection; selected: SelectedContext } | { context: string; problem: string };

export class Clusters {
  private readonly opened = new Map<string, Promise<Cluster>>();

  /** The context named (exactly or by alias), or the current one. */
  get(context: string | undefined): Promise<Cluster> {
    const key = context ?? '';
    let cluster = this.opened.get(key);
    if (!cluster) {
      cluster = (async (): Promise<Cluster> => {
        try {
          const selected = selectContext(loadKubeConfig(), context);
          const api = await ApiConnection.open(selected, { cacheDir: sshpodPaths().cacheDir });
          return { context: selected.context, namespace: selected.namespace, api, selected };
        } catch (error) {
          return { context: context ?? '(current)', problem: saidOf(error) };
        }
      })();
      this.opened.set(key, cluster);
    }
    return cluster;
  }

  async close(): Promise<void> {
    for (const cluster of await Promise.all(this.opened.values())) if ('api' in cluster) cluster.api.close();
  }
}
