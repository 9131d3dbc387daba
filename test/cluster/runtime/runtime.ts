// The test cluster's container runtime ("tiny kubelet"): real Linux namespaces, overlay root
// filesystems and processes, as root. See README.md for what is faithful to containerd/runc.
import { createHash } from 'node:crypto';
import { mkdir, realpath, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildHelper } from './helper/build.ts';
import { ImageStore, defaultImageCacheDir } from './images/store.ts';
import { CgroupTree } from './lifetime/cgroup.ts';
import { claimStateDir, releaseStateDir } from './lifetime/ownership.ts';
import { cleanStaleState } from './lifetime/stale.ts';
import { Pod } from './pod/pod.ts';
import type { PodHandle, PodSpecForRuntime, Runtime } from './types.ts';

export interface RuntimeOptions {
  /** This cluster's own directory (created if missing). Whatever a crashed runtime left under
   *  the same directory is cleaned up at start; a live runtime's directory is refused. */
  stateDir: string;
  /** Built images, kept between runs. Default: <repo>/.cache/images. */
  imageCacheDir?: string;
  /** Put each pod in a cgroup (when cgroup2 is writable here). Default true; false exercises
   *  the fallback (parent-death signals and recorded pids only). */
  cgroups?: boolean;
}

export interface LocalRuntime extends Runtime {
  readonly stateDir: string;
  /** The runtime's cgroup (pods are below it), or undefined without cgroups. */
  readonly cgroupDir: string | undefined;
  readonly images: ImageStore;
}

export async function createRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new Error('the test cluster runtime needs root on Linux (it creates namespaces, mounts and cgroups)');
  }
  await mkdir(options.stateDir, { recursive: true });
  const stateDir = await realpath(resolve(options.stateDir));
  await claimStateDir(stateDir);
  const stateId = createHash('sha256').update(stateDir).digest('hex').slice(0, 16);
  const cgroups = options.cgroups === false ? undefined : await CgroupTree.open(stateId);
  await cleanStaleState(stateDir, cgroups);
  if (cgroups) await mkdir(cgroups.base, { recursive: true }); // killAll removed it
  await mkdir(join(stateDir, 'pods'));
  const images = new ImageStore(options.imageCacheDir ?? defaultImageCacheDir());
  await mkdir(images.cacheDir, { recursive: true });
  await images.removeAbandonedBuilds();
  const helper = await buildHelper(images.cacheDir);
  return new Kubelet(stateDir, images, helper, cgroups);
}

class Kubelet implements LocalRuntime {
  readonly stateDir: string;
  readonly images: ImageStore;
  readonly #helper: string;
  readonly #cgroups: CgroupTree | undefined;
  readonly #pods = new Map<string, Pod>();
  readonly #starting = new Set<Promise<unknown>>();
  #podCount = 0;
  #shutdown: Promise<void> | undefined;

  constructor(stateDir: string, images: ImageStore, helper: string, cgroups: CgroupTree | undefined) {
    this.stateDir = stateDir;
    this.images = images;
    this.#helper = helper;
    this.#cgroups = cgroups;
  }

  get cgroupDir(): string | undefined {
    return this.#cgroups?.base;
  }

  async startPod(spec: PodSpecForRuntime): Promise<PodHandle> {
    if (this.#shutdown) throw new Error('the runtime is shut down');
    if (this.#pods.has(spec.uid)) throw new Error(`a pod with uid ${spec.uid} is already running`);
    const starting = Pod.start(
      {
        helper: this.#helper,
        images: this.images,
        cgroups: this.#cgroups,
        podsDir: join(this.stateDir, 'pods'),
        podIP: this.#nextPodIP(),
        onStopped: () => {
          if (this.#pods.get(spec.uid) === pod) this.#pods.delete(spec.uid);
        },
      },
      spec,
    );
    let pod: Pod | undefined;
    this.#starting.add(starting);
    try {
      pod = await starting;
      this.#pods.set(spec.uid, pod);
      if (this.#shutdown) await pod.stop(); // shut down while it was starting
      return pod;
    } finally {
      this.#starting.delete(starting);
    }
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      await Promise.allSettled([...this.#starting]);
      await Promise.all([...this.#pods.values()].map((pod) => pod.stop()));
      await this.#cgroups?.killAll();
      await rm(join(this.stateDir, 'pods'), { recursive: true, force: true });
      await releaseStateDir(this.stateDir);
    })();
    return this.#shutdown;
  }

  /** Reported in pod status only; nothing routes to it. */
  #nextPodIP(): string {
    const n = this.#podCount++;
    return `10.244.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`;
  }
}
