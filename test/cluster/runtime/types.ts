// The contract between the test cluster's API server (test/cluster/api) and its tiny kubelet
// (test/cluster/runtime). The API server owns Kubernetes objects and wire protocols; the runtime
// owns Linux namespaces, root filesystems and processes. Neither imports the other's internals.
import type { Duplex, Readable, Writable } from 'node:stream';

/** Image names the runtime knows; tags and registries in the pod spec are ignored. */
export type ImageName = 'debian' | 'busybox' | 'minimal' | 'arm64' | 'distroless';

export interface VolumeMountSpec {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface VolumeSpec {
  name: string;
  /** Only emptyDir volumes exist in the test cluster. */
  emptyDir: { medium?: 'Memory' | '' };
}

export interface ContainerSpec {
  name: string;
  image: ImageName;
  /** Pod spec `command`; when absent the image's default entrypoint (a sleeper) runs. */
  command?: string[];
  args?: string[];
  /** Pod spec env plus the KUBERNETES_* service variables, already resolved by the API server.
   *  The runtime adds the image's own defaults (PATH, HOME) underneath. */
  env: Record<string, string>;
  workingDir?: string;
  runAsUser?: number;
  runAsGroup?: number;
  readOnlyRootFilesystem?: boolean;
  volumeMounts: VolumeMountSpec[];
  /** Test knob (pod annotation `sshpod.test/noexec-tmp: "true"`): mount the container's /tmp noexec. */
  noexecTmp?: boolean;
  /** Test knob (pod annotation `sshpod.test/readonly-tmp: "true"`): mount the container's /tmp
   *  read-only, so that with readOnlyRootFilesystem only volumes (and /dev/shm) are writable. */
  readOnlyTmp?: boolean;
  /** Ephemeral containers only: the container whose PID namespace this one joins
   *  (`targetContainerName`); without it an ephemeral container has a PID namespace of its own. */
  targetContainerName?: string;
}

export interface PodSpecForRuntime {
  uid: string;
  namespace: string;
  name: string;
  hostname: string;
  /** The pod IP the API server allocated (it is already in the containers' env, e.g. via the
   *  downward API); the runtime reports it as PodHandle.podIP. Optional for older callers. */
  podIP?: string;
  volumes: VolumeSpec[];
  containers: ContainerSpec[];
}

export interface ContainerState {
  name: string;
  /** An ephemeral container (added by startEphemeralContainer), reported apart from the others. */
  ephemeral?: boolean;
  running: boolean;
  /** Set once the container's main process has ended. */
  exitCode?: number;
  startedAt: Date;
  finishedAt?: Date;
  /** Set with exitCode, as kubelet words it: "Completed" (0), "Error", or "StartError" when the
   *  main process never started (exitCode is then 128 and `message` says why). */
  reason?: 'Completed' | 'Error' | 'StartError';
  message?: string;
}

/** How an exec ended. `started: false` means the command never ran (not found, not executable):
 *  exitCode is then 127 or 126 as container runtimes report it, and `message` says why. */
export interface ExecResult {
  started: boolean;
  exitCode: number;
  message?: string;
}

export interface ExecOptions {
  container: string;
  command: string[];
  stdin: boolean;
  tty: boolean;
}

export interface ExecProcess {
  /** null when the exec was asked without stdin. */
  stdin: Writable | null;
  stdout: Readable;
  /** null when tty is true (a terminal merges stderr into stdout). */
  stderr: Readable | null;
  /** Terminal size for tty execs; ignored otherwise. */
  resize(columns: number, rows: number): void;
  /** Resolves once the process has exited and stdout/stderr have been fully read. */
  readonly done: Promise<ExecResult>;
  kill(): void;
}

export interface PodHandle {
  readonly spec: PodSpecForRuntime;
  /** Reported in pod status; nothing routes to it. */
  readonly podIP: string;
  /** A path naming the pod's network namespace (e.g. /proc/<sandbox-pid>/ns/net), valid while the
   *  pod runs: `nsenter --net=<it> socat - TCP:127.0.0.1:P` reaches the pod's loopback without
   *  Kubernetes (the benchmark's floor and a few tests use it). */
  readonly netnsPath: string;
  containerStates(): ContainerState[];
  /** Called whenever a container's state changes (so the API server can bump status). */
  onStateChange(listener: () => void): void;
  /** Throws (synchronously) when the container does not exist or is not running. A command
   *  that cannot start is not an exception: see ExecResult. */
  exec(options: ExecOptions): ExecProcess;
  /** A TCP connection to 127.0.0.1:port inside the pod's network namespace.
   *  Rejects with an Error whose message is the reason (e.g. "connection refused"). The Duplex
   *  closes when the pod stops. */
  connect(port: number): Promise<Duplex>;
  /** Adds an ephemeral container (kubectl debug) to the running pod: it shares the pod's
   *  network, IPC and UTS namespaces and, with `targetContainerName`, the target's PID namespace.
   *  Resolves once its process runs or has failed to start (see containerStates). */
  startEphemeralContainer(spec: ContainerSpec): Promise<void>;
  /** Kills every process of the pod and releases its mounts and network namespace. */
  stop(): Promise<void>;
}

export interface Runtime {
  /** Resolves when every container's main process is running (or has failed to start). */
  startPod(spec: PodSpecForRuntime): Promise<PodHandle>;
  /** Stops every pod and releases everything the runtime created. */
  shutdown(): Promise<void>;
}
