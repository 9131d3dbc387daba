// Kubeconfig loading as kubectl does it (KUBECONFIG with several files, current context,
// in-cluster config, exec credential plugins), done by @kubernetes/client-node; this module adds
// the choice of context from the hostname and words for what can go wrong.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
// The config module alone: the package index would also load every generated API client.
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { SshpodError } from '../errors.ts';
import { matchContext } from '../target/context-alias.ts';

export interface SelectedContext {
  kubeConfig: KubeConfig;
  context: string;
  /** The context's namespace, else `default`, as kubectl resolves it. */
  namespace: string;
  server: string;
}

function kubeconfigFiles(): string[] {
  const fromEnv = process.env['KUBECONFIG'];
  if (fromEnv) return fromEnv.split(delimiter).filter(Boolean);
  return [join(homedir(), '.kube', 'config')];
}

export function loadKubeConfig(): KubeConfig {
  const files = kubeconfigFiles();
  const inCluster = existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');
  if (!files.some((file) => existsSync(file)) && !inCluster) {
    throw new SshpodError('config', `no kubeconfig found (looked for ${files.join(', ')})`, {
      hint: 'point KUBECONFIG at your kubeconfig, or create ~/.kube/config (e.g. with your cloud CLI)',
    });
  }
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromDefault();
  } catch (error) {
    throw new SshpodError('config', `cannot read your kubeconfig (${files.join(', ')}): ${(error as Error).message}`, {
      hint: 'check that file with: kubectl config view',
      cause: error,
    });
  }
  return kubeConfig;
}

/** Switches to the context the hostname names (exact name or hostname-safe alias), or the current one. */
export function selectContext(kubeConfig: KubeConfig, wanted: string | undefined): SelectedContext {
  const names = kubeConfig.getContexts().map((c) => c.name);
  let context: string;
  if (wanted !== undefined) {
    context = matchContext(wanted, names);
  } else {
    context = kubeConfig.getCurrentContext();
    if (!context || !names.includes(context)) {
      throw new SshpodError('config', context ? `the current context "${context}" is not defined in your kubeconfig` : 'your kubeconfig has no current context', {
        hint: names.length > 0 ? `add context--NAME to the hostname (one of: ${names.join(', ')}) or run: kubectl config use-context NAME` : 'your kubeconfig has no contexts',
      });
    }
  }
  kubeConfig.setCurrentContext(context);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) {
    throw new SshpodError('config', `context "${context}" names a cluster that is not in your kubeconfig`, {
      hint: 'fix the context with: kubectl config view',
    });
  }
  const namespace = kubeConfig.getContextObject(context)?.namespace || 'default';
  return { kubeConfig, context, namespace, server: cluster.server.replace(/\/+$/, '') };
}
