// The few fields of Kubernetes objects that sshpod reads. Declared here rather than imported from
// @kubernetes/client-node's generated models so that the connect path does not load them.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ContainerSpec {
  name: string;
  image?: string;
}

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  state?: { running?: object; waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; message?: string; exitCode?: number } };
}

/** An ephemeral container (kubectl debug); see src/ephemeral. */
export interface EphemeralContainerSpec extends ContainerSpec {
  command?: string[];
  targetContainerName?: string;
  env?: Array<{ name: string; value?: string }>;
  securityContext?: { capabilities?: { add?: string[] } };
}

export interface Pod {
  metadata: ObjectMeta;
  spec?: { containers?: ContainerSpec[]; ephemeralContainers?: EphemeralContainerSpec[]; nodeName?: string };
  status?: {
    phase?: string;
    conditions?: PodCondition[];
    containerStatuses?: ContainerStatus[];
    ephemeralContainerStatuses?: ContainerStatus[];
    reason?: string;
    message?: string;
  };
}

/** core/v1 Event: what the scheduler and kubelet say about a pod (pulling, failed, unschedulable). */
export interface KubeEvent {
  metadata: ObjectMeta;
  type?: 'Normal' | 'Warning' | string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
}

export interface List<T> {
  items: T[];
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs all select their pods this way. */
export interface Workload {
  metadata: ObjectMeta;
  spec?: { selector?: LabelSelector };
}

/** metav1.Status, as the API server sends it for errors and at the end of an exec. */
export interface Status {
  kind?: 'Status';
  status?: 'Success' | 'Failure' | string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: Array<{ reason?: string; message?: string; type?: string }> };
}
