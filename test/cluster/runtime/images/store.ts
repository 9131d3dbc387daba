// The image cache: each image's root filesystem is built once into <cacheDir>/<name>-v<recipe>
// and reused by every later run (a recipe change bumps its version). Builds go to a private
// directory first and are renamed into place, so a crash or a concurrent build never leaves a
// half-built image where a container would use it.
import { readdir, readFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageName } from '../types.ts';
import type { BuiltImageName } from './build.ts';
import { buildRootfs } from './build.ts';
import { buildHelper } from '../helper/build.ts';
import type { DirSpec, ImageConfig } from './catalog.ts';
import { hostRootMasks, imageConfigs, imageNames } from './catalog.ts';

export interface Image {
  name: ImageName;
  config: ImageConfig;
  /** Overlay lower layers, topmost first. */
  layers: string[];
  /** Paths of the layers no container sees (whiteouts in its upper layer). */
  hidden: string[];
  /** Directories recreated empty over hidden ones. */
  emptyDirs: DirSpec[];
  /** The image's /etc/passwd on the host, for HOME and a user's default group. */
  passwdPath: string;
}

/** Bump an image's number when its recipe changes: the old build is then ignored. */
const recipeVersions: Record<BuiltImageName, number> = { busybox: 1, minimal: 1, arm64: 1, distroless: 1 };

export function defaultImageCacheDir(): string {
  return new URL('../../../../.cache/images', import.meta.url).pathname;
}

export class ImageStore {
  readonly cacheDir: string;
  readonly #images = new Map<ImageName, Promise<Image>>();

  constructor(cacheDir: string) {
    this.cacheDir = cacheDir;
  }

  /** The image, built on first use. Concurrent callers share one build. */
  get(name: ImageName): Promise<Image> {
    let image = this.#images.get(name);
    if (!image) {
      image = name === 'debian' ? hostRootImage() : this.#built(name);
      this.#images.set(name, image);
      image.catch(() => this.#images.delete(name)); // let a later call retry
    }
    return image;
  }

  async prepareAll(): Promise<void> {
    await this.removeAbandonedBuilds();
    for (const name of imageNames) await this.get(name);
  }

  async #built(name: BuiltImageName): Promise<Image> {
    const dir = join(this.cacheDir, `${name}-v${recipeVersions[name]}`);
    if (!(await exists(join(dir, 'rootfs')))) await this.#build(name, dir);
    const rootfs = join(dir, 'rootfs');
    return { name, config: imageConfigs[name], layers: [rootfs], hidden: [], emptyDirs: [], passwdPath: join(rootfs, 'etc/passwd') };
  }

  async #build(name: BuiltImageName, dir: string): Promise<void> {
    const build = join(this.cacheDir, `.build-${name}-${process.pid}`);
    await rm(build, { recursive: true, force: true });
    await mkdir(join(build, 'rootfs'), { recursive: true });
    try {
      await buildRootfs(name, join(build, 'rootfs'), join(build, 'work'));
      await rm(join(build, 'work'), { recursive: true, force: true });
      await rename(build, dir).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error; // someone else finished first
      });
    } finally {
      await rm(build, { recursive: true, force: true });
    }
  }

  /** Build directories of processes that died mid-build. */
  async removeAbandonedBuilds(): Promise<void> {
    const entries = await readdir(this.cacheDir).catch(() => [] as string[]);
    for (const entry of entries) {
      const pid = /^\.build-[a-z0-9]+-(\d+)$/.exec(entry)?.[1];
      if (pid && !isAlive(Number(pid))) await rm(join(this.cacheDir, entry), { recursive: true, force: true });
    }
  }
}

/** `debian`: the host's root (Debian 12) through an overlay, minus the host's own data. */
async function hostRootImage(): Promise<Image> {
  const top = await readdir('/');
  const sshHostKeys = (await readdir('/etc/ssh').catch(() => [] as string[]))
    .filter((f) => f.startsWith('ssh_host_'))
    .map((f) => `/etc/ssh/${f}`);
  const masks = hostRootMasks(top, sshHostKeys);
  return { name: 'debian', config: imageConfigs.debian, layers: ['/'], ...masks, passwdPath: '/etc/passwd' };
}

/** Builds (or finds) every image and the runtime's helper, so that a cluster start pays for
 *  it once, up front. */
export async function prepareImages(cacheDir: string = defaultImageCacheDir()): Promise<void> {
  await new ImageStore(cacheDir).prepareAll();
  await buildHelper(cacheDir);
}

export async function readPasswd(image: Image): Promise<string> {
  return readFile(image.passwdPath, 'utf8').catch(() => '');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
