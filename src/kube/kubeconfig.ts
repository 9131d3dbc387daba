// Kubeconfig loading as kubectl does it (KUBECONFIG with several files, current context,
// in-cluster config, exec credential plugins), done by @kubernetes/client-node; this module adds
// the choice of context from the hostname and words for what can go wrong.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
// The config module alone: the package index would also load every generated API client.
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import type { Cluster, Context, User } from '@kubernetes/client-node/dist/config_types.js';
import { SshpodError } from '../errors.ts';
import { matchContext } from '../target/context-alias.ts';
import { readRegularFile } from '../local-file.ts';

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

/**
 * An exec plugin named by a relative path with a directory part (`./bin/get-token`) is relative
 * to the kubeconfig file that names it, as kubectl resolves it; a bare name is looked up on PATH.
 */
function withExecCommandResolved(user: User, file: string): User {
  const exec = user.exec as { command?: unknown } | undefined;
  const command = exec?.command;
  if (typeof command !== 'string' || isAbsolute(command) || !command.includes('/')) return user;
  return { ...user, exec: { ...exec, command: resolve(dirname(file), command) } };
}

/** Far above any real kubeconfig (even with hundreds of clusters), far below trouble; KUBECONFIG
 *  may name anything (a FIFO, /dev/zero): readRegularFile refuses what is not a regular file. */
const KUBECONFIG_SIZE_LIMIT = 16 * 1024 * 1024;

function loadFile(target: KubeConfig, file: string): void {
  const text = readRegularFile(file, KUBECONFIG_SIZE_LIMIT);
  if (text.trim() === '') throw new Error(`${file} is empty`);
  try {
    target.loadFromString(text);
  } catch (error) {
    // A YAML error says where; anything else means the YAML is not a kubeconfig's shape.
    if ((error as Error).name === 'YAMLException') throw error;
    throw new Error(`${file} does not look like a kubeconfig (expected clusters, contexts and users)`);
  }
  target.makePathsAbsolute(dirname(file));
}

/**
 * Several KUBECONFIG files merged as kubectl merges them: for clusters, users and contexts the
 * first file that names one wins, and so does the first current-context. (client-node's own
 * merge refuses a name that two files share, which is common: two files with a `kind` cluster.)
 * Missing files are skipped, as kubectl does.
 */
function loadMerged(target: KubeConfig, files: string[]): void {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext = '';
  for (const file of files) {
    const single = new KubeConfig();
    loadFile(single, file);
    for (const cluster of single.getClusters()) if (!clusters.has(cluster.name)) clusters.set(cluster.name, cluster);
    for (const user of single.getUsers()) if (!users.has(user.name)) users.set(user.name, withExecCommandResolved(user, file));
    for (const context of single.getContexts()) if (!contexts.has(context.name)) contexts.set(context.name, context);
    currentContext ||= single.getCurrentContext() ?? '';
  }
  target.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext });
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
    const existing = files.filter((file) => existsSync(file));
    // One file goes through the same merge, which also resolves relative exec plugin paths.
    if (existing.length > 0) loadMerged(kubeConfig, existing);
    else kubeConfig.loadFromDefault(); // in-cluster
  } catch (error) {
    // YAML errors come with a multi-line excerpt; the message stays one line.
    const reason = String((error as Error).message).split('\n')[0];
    throw new SshpodError('config', `cannot read your kubeconfig (${files.join(', ')}): ${reason}`, {
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
