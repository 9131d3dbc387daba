// Who may do what on the real lane's cluster: the test users and their RBAC, and what a running
// cluster tells its tests (ready.json). Two users differ only in the verb they hold on pods/exec
// and pods/portforward, because kube-apiserver authorises those as `get` over WebSocket up to
// 1.29 and as `create` from 1.30 on: sshpod must name the verb the server checked.

export const TEST_USERS = {
  /** get/list on pods and workloads, and only `get` on pods/exec and pods/portforward. */
  getOnly: 'sshpod-get-only',
  /** get/list on pods and workloads, and only `create` on pods/exec and pods/portforward. */
  createOnly: 'sshpod-create-only',
} as const;

/** A ServiceAccount in `default`, bound cluster-wide to the README's Role: the token kubeconfig's user. */
export const SERVICE_ACCOUNT = { namespace: 'default', name: 'sshpod-robot' } as const;

/** What `npm run test:real` hands its suites (the run directory's ready.json). */
export interface RealClusterInfo {
  server: string;
  caFile: string;
  kubeconfigs: { admin: string; getOnly: string; createOnly: string; serviceAccount: string };
  users: typeof TEST_USERS;
  logs: string;
  version: string;
}

const readPods = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] };
const readWorkloads = { apiGroups: ['apps', 'batch'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs'], verbs: ['get', 'list'] };
const connect = (verbs: string[]) => ({ apiGroups: [''], resources: ['pods/exec', 'pods/portforward'], verbs });

/** The README's Role for sshpod (both verbs, so it works on old and new servers), as a ClusterRole. */
export const SSHPOD_ROLE_RULES = [readPods, readWorkloads, connect(['get', 'create'])];

function roleAndBinding(name: string, rules: object[], subject: object): object[] {
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [subject],
    },
  ];
}

export function rbacObjects(): object[] {
  const user = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name });
  return [
    ...roleAndBinding(TEST_USERS.getOnly, [readPods, readWorkloads, connect(['get'])], user(TEST_USERS.getOnly)),
    ...roleAndBinding(TEST_USERS.createOnly, [readPods, readWorkloads, connect(['create'])], user(TEST_USERS.createOnly)),
    ...roleAndBinding('sshpod-user', SSHPOD_ROLE_RULES, { kind: 'ServiceAccount', ...SERVICE_ACCOUNT }),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { ...SERVICE_ACCOUNT } },
  ];
}
