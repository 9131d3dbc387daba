// The controller manager: every controller the test cluster runs, started together.
import type { Registry } from '../api/registry.ts';
import type { Store } from '../api/store.ts';
import { DaemonSetController } from './daemonset.ts';
import { DeploymentController } from './deployment.ts';
import { GarbageCollector } from './garbage-collector.ts';
import { JobController } from './job.ts';
import { NamespaceController } from './namespace.ts';
import { ReplicaSetController } from './replicaset.ts';
import { StatefulSetController } from './statefulset.ts';

export interface Controller {
  stop(): void;
}

/** Starts all controllers; `caPem` is what each namespace's kube-root-ca.crt ConfigMap holds. */
export function startControllers(registry: Registry, store: Store, caPem: string, onError: (key: string, error: unknown) => void): Controller[] {
  return [
    new NamespaceController(registry, store, caPem, onError),
    new DeploymentController(registry, store, onError),
    new ReplicaSetController(registry, store, onError),
    new StatefulSetController(registry, store, onError),
    new JobController(registry, store, onError),
    new DaemonSetController(registry, store, onError),
    new GarbageCollector(registry, store, onError),
  ];
}
