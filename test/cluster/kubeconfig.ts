// kubeconfig files for the test cluster: one cluster entry carrying the CA, the users that
// contexts refer to (bearer token or client certificate), and any contexts a test wants —
// including odd names like EKS ARNs and contexts with a default namespace.
import { stringify } from 'yaml';

export interface ClusterUser {
  name: string;
  groups: string[];
  auth: 'token' | 'certificate';
  token?: string;
  certPem?: string;
  keyPem?: string;
}

export interface KubeconfigContext {
  name: string;
  user: string;
  namespace?: string;
  /** Cluster entry name; defaults to the test cluster's. */
  cluster?: string;
}

export interface KubeconfigInput {
  clusterName: string;
  server: string;
  caPem: string;
  users: ClusterUser[];
  contexts: KubeconfigContext[];
  currentContext: string;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

export function renderKubeconfig(input: KubeconfigInput): string {
  const usedUsers = new Set(input.contexts.map((c) => c.user));
  const users = input.users.filter((u) => usedUsers.has(u.name));
  const missing = [...usedUsers].filter((name) => !input.users.some((u) => u.name === name));
  if (missing.length > 0) throw new Error(`kubeconfig: no such test cluster user: ${missing.join(', ')} (known: ${input.users.map((u) => u.name).join(', ')})`);
  const clusterNames = new Set([input.clusterName, ...input.contexts.map((c) => c.cluster ?? input.clusterName)]);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [...clusterNames].map((name) => ({ name, cluster: { server: input.server, 'certificate-authority-data': b64(input.caPem) } })),
    users: users.map((u) => ({
      name: u.name,
      user: u.auth === 'token' ? { token: u.token } : { 'client-certificate-data': b64(u.certPem ?? ''), 'client-key-data': b64(u.keyPem ?? '') },
    })),
    contexts: input.contexts.map((c) => {
      const context: Record<string, string> = { cluster: c.cluster ?? input.clusterName, user: c.user };
      if (c.namespace) context.namespace = c.namespace;
      return { name: c.name, context };
    }),
    'current-context': input.currentContext,
  };
  return stringify(config, { lineWidth: 0 });
}
