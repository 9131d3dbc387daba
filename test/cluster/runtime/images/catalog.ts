// What each image is, independent of where its files live: the Docker-style config (ENV, CMD,
// WORKDIR) and, for the image built on the host's own root, which host paths a container must
// not see.
import type { ImageName } from '../types.ts';

export const imageNames: readonly ImageName[] = ['debian', 'busybox', 'minimal', 'arm64', 'distroless'];

/** Docker's default PATH, which every official image sets. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ImageConfig {
  /** ENV: the base of every container process's environment. */
  env: Record<string, string>;
  /** CMD: what runs when the pod gives neither command nor args. */
  cmd: string[];
  /** WORKDIR: the default working directory. */
  workingDir: string;
}

export const imageConfigs: Record<ImageName, ImageConfig> = {
  debian: { env: { PATH: DEFAULT_PATH }, cmd: ['sleep', 'infinity'], workingDir: '/' },
  busybox: { env: { PATH: DEFAULT_PATH }, cmd: ['sleep', 'infinity'], workingDir: '/' },
  minimal: { env: { PATH: DEFAULT_PATH }, cmd: ['sleep', 'infinity'], workingDir: '/' },
  arm64: { env: { PATH: DEFAULT_PATH }, cmd: ['sleep', 'infinity'], workingDir: '/' },
  distroless: { env: { PATH: DEFAULT_PATH }, cmd: ['/sleeper'], workingDir: '/' },
};

export function isImageName(name: string): name is ImageName {
  return (imageNames as readonly string[]).includes(name);
}

export interface DirSpec {
  path: string;
  mode: number;
}

export interface HostRootMasks {
  /** Host paths that do not exist in the container (overlay whiteouts). */
  hidden: string[];
  /** Directories recreated empty where hidden ones were. */
  emptyDirs: DirSpec[];
}

/** The top level of a Debian container image; anything else at the host's / is the host's. */
const debianTopLevel = new Set([
  'bin', 'boot', 'dev', 'etc', 'home', 'lib', 'lib32', 'lib64', 'libx32', 'media', 'mnt', 'opt',
  'proc', 'root', 'run', 'sbin', 'srv', 'sys', 'tmp', 'usr', 'var',
]);

/** Directories a Debian image ships empty, where the host keeps its own data. */
const emptiedDirs: DirSpec[] = [
  { path: '/boot', mode: 0o755 },
  { path: '/home', mode: 0o755 },
  { path: '/media', mode: 0o755 },
  { path: '/mnt', mode: 0o755 },
  { path: '/opt', mode: 0o755 },
  { path: '/root', mode: 0o700 },
  { path: '/run', mode: 0o755 },
  { path: '/srv', mode: 0o755 },
  { path: '/tmp', mode: 0o1777 },
  { path: '/usr/local', mode: 0o755 },
  { path: '/var/tmp', mode: 0o1777 },
];

const recreatedInside: DirSpec[] = [
  { path: '/run/lock', mode: 0o1777 },
  ...['bin', 'etc', 'games', 'include', 'lib', 'sbin', 'share', 'src'].map((d) => ({ path: `/usr/local/${d}`, mode: 0o755 })),
];

/** The `debian` image is the host's root seen through an overlay, minus the host's own data:
 *  top-level entries a Debian image does not have (the project checkout, the machine's agents),
 *  home directories, scratch space, and the ssh host keys. */
export function hostRootMasks(topLevelEntries: string[], sshHostKeys: string[]): HostRootMasks {
  const foreign = topLevelEntries.filter((e) => !debianTopLevel.has(e)).map((e) => `/${e}`);
  return {
    hidden: [...foreign, ...emptiedDirs.map((d) => d.path), ...sshHostKeys].sort(),
    emptyDirs: [...emptiedDirs, ...recreatedInside],
  };
}
