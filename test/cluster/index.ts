// The local Kubernetes test cluster, for test code:
//
//   const cluster = await startCluster({ objects: [pod] });
//   … use cluster.kubeconfigPath (admin, namespace default) or cluster.writeKubeconfig(…) …
//   await cluster.stop();
//
// See README.md for what it serves and how faithful it is.
export { Cluster, ClusterError, PodWaitError, clusterName, nodeName, repoRoot, startCluster } from './cluster.ts';
export type { AccessRule, ApplyOptions, ClusterOptions, ClusterUser, KubeconfigContext, PodCondition, RequestRecord, WriteKubeconfigOptions } from './cluster.ts';
export type { KubeObject, Pod, StoredObject } from './api/types.ts';
