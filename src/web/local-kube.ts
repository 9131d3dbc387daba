// `sshpod web` on a person's machine: their kubeconfig and template files, as `ssh` uses them. One
// connection per context, opened when first used (an exec credential plugin runs once per context).
import { loadKubeConfig, selectContext } from '../kube/kubeconfig.ts';
import { ApiConnection } from '../kube/connection.ts';
import { sshpodPaths } from '../ssh/paths.ts';
import { loadTemplate, templateNames } from '../ondemand/template-file.ts';
import { localOwner } from '../ondemand/owner.ts';
import type { KubeAccess, KubeSession } from './kube-access.ts';

export function localKubeAccess(): KubeAccess {
  const opened = new Map<string, Promise<{ connection: ApiConnection; namespace: string }>>();
  const cacheDir = sshpodPaths().cacheDir;
  return {
    contexts() {
      const kubeConfig = loadKubeConfig();
      return { names: kubeConfig.getContexts().map((c) => c.name), current: kubeConfig.getCurrentContext() };
    },
    async connect(_user, context): Promise<KubeSession> {
      // A fresh read each time: a context switched or added meanwhile is seen, as kubectl sees it.
      const selected = selectContext(loadKubeConfig(), context);
      let entry = opened.get(selected.context);
      if (!entry) {
        entry = ApiConnection.open(selected, { cacheDir }).then((connection) => ({ connection, namespace: selected.namespace }));
        opened.set(selected.context, entry);
        entry.catch(() => opened.delete(selected.context));
      }
      const { connection } = await entry;
      return { api: connection, context: selected.context, namespace: selected.namespace, owner: localOwner(selected) };
    },
    templateNames: () => templateNames(),
    loadTemplate: (_user, name) => loadTemplate(name),
    close() {
      for (const entry of opened.values()) entry.then((e) => e.connection.close(), () => undefined);
      opened.clear();
    },
  };
}
