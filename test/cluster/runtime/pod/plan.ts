// What container-setup.sh must build for one container, as the environment variables it reads
// (the script documents each). Pure: paths in, strings out.
import type { Image } from '../images/store.ts';
import type { ContainerSpec, VolumeSpec } from '../types.ts';

export interface PodPaths {
  /** Empty host directory the container's scratch tmpfs is mounted on. */
  scratch: string;
  /** Directory holding the pod's hosts, hostname and resolv.conf. */
  etc: string;
  /** Where a volume lives (a directory, or a tmpfs in the pod's sandbox mount namespace). */
  volume(name: string): string;
}

export function setupEnvironment(spec: ContainerSpec, image: Image, volumes: VolumeSpec[], paths: PodPaths, workingDir: string): Record<string, string> {
  for (const layer of image.layers) {
    if (/[:,]/.test(layer)) throw new Error(`image layer path ${JSON.stringify(layer)} cannot be an overlay lowerdir (it contains ':' or ',')`);
  }
  // The script reads lines of tab-separated fields.
  const allPaths = [paths.scratch, paths.etc, workingDir, ...image.layers, ...image.hidden, ...spec.volumeMounts.flatMap((m) => [m.mountPath, paths.volume(m.name)])];
  const bad = allPaths.find((p) => /[\t\n]/.test(p));
  if (bad !== undefined) throw new Error(`path ${JSON.stringify(bad)} contains a tab or a newline, which the test cluster does not support`);
  const known = new Set(volumes.map((v) => v.name));
  const mounts = spec.volumeMounts.map((m, index) => {
    if (!known.has(m.name)) throw new Error(`container ${JSON.stringify(spec.name)} mounts volume ${JSON.stringify(m.name)}, which the pod does not define`);
    if (!m.mountPath.startsWith('/')) throw new Error(`mountPath ${JSON.stringify(m.mountPath)} of container ${JSON.stringify(spec.name)} must be absolute`);
    return { ...m, index, depth: m.mountPath.split('/').filter(Boolean).length };
  });
  // Parents before children, so that a volume under another volume's path stays visible.
  mounts.sort((a, b) => a.depth - b.depth || a.index - b.index);
  const tmp = ['mode=1777', 'nosuid', 'nodev'];
  if (spec.noexecTmp) tmp.push('noexec');
  if (spec.readOnlyTmp) tmp.push('ro');
  return {
    SSHPOD_SCRATCH: paths.scratch,
    SSHPOD_LAYERS: image.layers.join(':'),
    SSHPOD_HIDDEN: image.hidden.join('\n'),
    SSHPOD_EMPTY_DIRS: image.emptyDirs.map((d) => `${d.mode.toString(8)}\t${d.path}`).join('\n'),
    SSHPOD_ETC: paths.etc,
    SSHPOD_TMP_OPTIONS: tmp.join(','),
    SSHPOD_MOUNTS: mounts.map((m) => `${m.readOnly ? 'ro' : 'rw'}\t${paths.volume(m.name)}\t${m.mountPath}`).join('\n'),
    SSHPOD_WORKDIR: workingDir,
    SSHPOD_READONLY_ROOT: spec.readOnlyRootFilesystem ? 'true' : 'false',
  };
}
