// The kubeconfig facts `kubectl ssh` needs: which contexts exist, their namespaces, the current
// one. Read with sshpod's own loader (KUBECONFIG with several files merged as kubectl merges
// them); `--kubeconfig FILE` means that file alone, as it does for kubectl.
import { resolve } from 'node:path';
import { loadKubeConfig } from '../kube/kubeconfig.ts';
import type { KubeFacts } from './hostname.ts';

/** Points this process (and so the ssh it runs, and ssh's ProxyCommand) at one kubeconfig file. */
export function useKubeconfigFile(file: string): void {
  process.env['KUBECONFIG'] = resolve(file);
}

export function readKubeFacts(): KubeFacts {
  const kubeConfig = loadKubeConfig();
  return {
    currentContext: kubeConfig.getCurrentContext() || undefined,
    contexts: kubeConfig.getContexts().map((context) => ({ name: context.name, namespace: context.namespace })),
  };
}
