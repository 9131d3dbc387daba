// A running pod: its sandbox, its containers, every process started for it (tracked for
// stop()), and its directory in the runtime's state directory:
//   pods/<uid>/etc/{hosts,hostname,resolv.conf}  bind-mounted into each container
//   pods/<uid>/volumes/<name>/                   emptyDirs (a tmpfs there in the sandbox's
//                                                mount namespace for medium: Memory)
//   pods/<uid>/containers/<name>/                where each container's scratch tmpfs mounts
//   pods/<uid>/logs/<name>.log                   stdout+stderr of containers and the sandbox
//   pods/<uid>/pids                              "<pid> <start time>" per process, for the
//                                                stale cleanup of a crashed runtime
import type { ChildProcess } from 'node:child_process';
import { appendFile, chmod, mkdir, open, rm, writeFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { startExec } from '../exec/exec.ts';
import type { Launcher } from '../helper/launch.ts';
import { exited } from '../helper/launch.ts';
import type { Image, ImageStore } from '../images/store.ts';
import type { CgroupTree } from '../lifetime/cgroup.ts';
import { processStartTime } from '../lifetime/ownership.ts';
import { PIDS_FILE } from '../lifetime/stale.ts';
import type { ContainerSpec, ContainerState, ExecOptions, ExecProcess, PodHandle, PodSpecForRuntime } from '../types.ts';
import { connectInPod } from './connect.ts';
import { Container } from './container.ts';
import { hostnameFile, hostsFile, resolvConf } from './etc-files.ts';
import type { PodPaths } from './plan.ts';
import { startSandbox } from './sandbox.ts';
import { checkPodSpec } from './validate.ts';

export interface PodContext {
  helper: string;
  images: ImageStore;
  cgroups: CgroupTree | undefined;
  podsDir: string;
  podIP: string;
  /** Called once the pod is fully stopped. */
  onStopped(): void;
}

export class Pod implements PodHandle {
  readonly spec: PodSpecForRuntime;
  readonly podIP: string;
  readonly #ctx: PodContext;
  readonly #dir: string;
  readonly #containers = new Map<string, Container>();
  readonly #ephemeral = new Set<string>();
  readonly #processes = new Set<ChildProcess>();
  readonly #listeners: (() => void)[] = [];
  #launcher: Launcher;
  #cgroupDir: string | undefined;
  #sandboxPid = 0;
  #stopping: Promise<void> | undefined;

  private constructor(ctx: PodContext, spec: PodSpecForRuntime) {
    this.#ctx = ctx;
    this.spec = spec;
    this.podIP = ctx.podIP;
    this.#dir = join(ctx.podsDir, spec.uid);
    this.#launcher = { helper: ctx.helper, track: (child) => this.#track(child) };
  }

  /** Starts the sandbox, then each container in order, like kubelet. On failure nothing of
   *  the pod is left running. */
  static async start(ctx: PodContext, spec: PodSpecForRuntime): Promise<Pod> {
    checkPodSpec(spec);
    const images = await Promise.all(spec.containers.map((c) => ctx.images.get(c.image)));
    const pod = new Pod(ctx, spec);
    try {
      await pod.#start(images);
    } catch (error) {
      await pod.stop();
      throw error;
    }
    return pod;
  }

  get netnsPath(): string {
    return `/proc/${this.#sandboxPid}/ns/net`;
  }

  containerStates(): ContainerState[] {
    return [...this.#containers.values()].map((c) => (this.#ephemeral.has(c.spec.name) ? { ...c.state, ephemeral: true } : { ...c.state }));
  }

  async startEphemeralContainer(spec: ContainerSpec): Promise<void> {
    const where = `pod ${this.spec.namespace}/${this.spec.name}`;
    if (this.#stopping) throw new Error(`${where} is stopping`);
    if (this.#containers.has(spec.name)) throw new Error(`container ${JSON.stringify(spec.name)} already exists in ${where}`);
    let sharePidWith: number | undefined;
    if (spec.targetContainerName !== undefined) {
      const target = this.#containers.get(spec.targetContainerName);
      if (!target || target.pid === undefined || !target.state.running) {
        throw new Error(`target container ${JSON.stringify(spec.targetContainerName)} is not running in ${where}`);
      }
      sharePidWith = target.pid;
    }
    const image = await this.#ctx.images.get(spec.image);
    const container = new Container(spec, image, this.spec.hostname);
    this.#containers.set(spec.name, container);
    this.#ephemeral.add(spec.name);
    const dir = this.#dir;
    const paths: PodPaths = { scratch: join(dir, 'containers', spec.name), etc: join(dir, 'etc'), volume: (name) => join(dir, 'volumes', name) };
    const logPath = join(dir, 'logs', `${spec.name}.log`);
    await withLog(logPath, (logFd) =>
      container.start(
        this.#launcher,
        { hostname: this.spec.hostname, sandboxPid: this.#sandboxPid, volumes: this.spec.volumes, paths, logFd, logPath, ...(sharePidWith === undefined ? {} : { sharePidWith }) },
        () => this.#emit(),
      ),
    );
    if (container.pid !== undefined) await this.#recordPid(container.pid);
  }

  onStateChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  exec(options: ExecOptions): ExecProcess {
    const container = this.#containers.get(options.container);
    const where = `pod ${this.spec.namespace}/${this.spec.name}`;
    if (!container) throw new Error(`container ${JSON.stringify(options.container)} not found in ${where}`);
    if (this.#stopping || !container.state.running || container.pid === undefined) {
      throw new Error(`container ${JSON.stringify(options.container)} in ${where} is not running`);
    }
    if (options.command.length === 0) throw new Error('exec needs a command');
    return startExec(this.#launcher, container, options);
  }

  async connect(port: number): Promise<Duplex> {
    if (this.#stopping) throw new Error(`pod ${this.spec.namespace}/${this.spec.name} is stopping`);
    return connectInPod(this.#launcher, this.#sandboxPid, port);
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #start(images: Image[]): Promise<void> {
    const { spec } = this;
    const dir = this.#dir;
    await mkdir(dir, { recursive: false });
    await mkdir(join(dir, 'etc'));
    await mkdir(join(dir, 'logs'));
    await writeFile(join(dir, 'etc/hosts'), hostsFile(spec.hostname, this.podIP));
    await writeFile(join(dir, 'etc/hostname'), hostnameFile(spec.hostname));
    await writeFile(join(dir, 'etc/resolv.conf'), resolvConf(spec.namespace));
    for (const volume of spec.volumes) {
      const path = join(dir, 'volumes', volume.name);
      await mkdir(path, { recursive: true });
      await chmod(path, 0o777); // kubelet's emptyDir mode: any runAsUser can write
    }
    if (this.#ctx.cgroups) {
      this.#cgroupDir = await this.#ctx.cgroups.create(spec.uid);
      this.#launcher = { ...this.#launcher, cgroupProcs: this.#ctx.cgroups.procsFile(this.#cgroupDir) };
    }

    const memoryVolumes = spec.volumes.filter((v) => v.emptyDir.medium === 'Memory').map((v) => join(dir, 'volumes', v.name));
    const sandboxLog = join(dir, 'logs', 'sandbox.log');
    await withLog(sandboxLog, async (fd) => {
      const sandbox = await startSandbox(this.#launcher, spec.hostname, memoryVolumes, fd, sandboxLog);
      this.#sandboxPid = sandbox.pid;
    });

    for (const [index, containerSpec] of spec.containers.entries()) {
      const container = new Container(containerSpec, images[index]!, spec.hostname);
      this.#containers.set(containerSpec.name, container);
      const paths: PodPaths = {
        scratch: join(dir, 'containers', containerSpec.name),
        etc: join(dir, 'etc'),
        volume: (name) => join(dir, 'volumes', name),
      };
      const logPath = join(dir, 'logs', `${containerSpec.name}.log`);
      await withLog(logPath, (logFd) =>
        container.start(
          this.#launcher,
          { hostname: spec.hostname, sandboxPid: this.#sandboxPid, volumes: spec.volumes, paths, logFd, logPath },
          () => this.#emit(),
        ),
      );
      if (container.pid !== undefined) await this.#recordPid(container.pid);
    }
  }

  async #stop(): Promise<void> {
    if (this.#cgroupDir) await this.#ctx.cgroups?.kill(this.#cgroupDir);
    // Without a cgroup this is what stops the pod: the sandbox and every helper die, and each
    // container's PID 1 dies with its helper (parent-death signal), taking its PID namespace.
    for (const child of this.#processes) child.kill('SIGKILL');
    await Promise.all([...this.#processes].map(exited));
    await rm(this.#dir, { recursive: true, force: true });
    this.#ctx.onStopped();
  }

  #track(child: ChildProcess): void {
    this.#processes.add(child);
    child.once('exit', () => this.#processes.delete(child));
    if (child.pid !== undefined) void this.#recordPid(child.pid);
  }

  async #recordPid(pid: number): Promise<void> {
    const startTime = await processStartTime(pid);
    if (startTime && !this.#stopping) await appendFile(join(this.#dir, PIDS_FILE), `${pid} ${startTime}\n`).catch(() => undefined);
  }

  #emit(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // a listener's failure is its own business
      }
    }
  }
}

async function withLog<T>(path: string, use: (fd: number) => Promise<T>): Promise<T> {
  const file = await open(path, 'a');
  try {
    return await use(file.fd); // the child has its own copy of the fd once spawned
  } finally {
    await file.close();
  }
}
