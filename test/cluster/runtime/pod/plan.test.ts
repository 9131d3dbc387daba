import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Image } from '../images/store.ts';
import { imageConfigs } from '../images/catalog.ts';
import type { ContainerSpec } from '../types.ts';
import type { PodPaths } from './plan.ts';
import { setupEnvironment } from './plan.ts';

const image: Image = {
  name: 'debian',
  config: imageConfigs.debian,
  layers: ['/'],
  hidden: ['/work', '/root'],
  emptyDirs: [{ path: '/root', mode: 0o700 }],
  passwdPath: '/etc/passwd',
};
const paths: PodPaths = { scratch: '/s/c', etc: '/s/etc', volume: (name) => `/s/volumes/${name}` };
const spec = (extra: Partial<ContainerSpec> = {}): ContainerSpec => ({ name: 'c', image: 'debian', env: {}, volumeMounts: [], ...extra });
const volumes = [
  { name: 'a', emptyDir: {} },
  { name: 'b', emptyDir: { medium: 'Memory' as const } },
];

test('setupEnvironment describes the root filesystem for container-setup.sh', () => {
  assert.deepEqual(setupEnvironment(spec(), image, volumes, paths, '/'), {
    SSHPOD_SCRATCH: '/s/c',
    SSHPOD_LAYERS: '/',
    SSHPOD_HIDDEN: '/work\n/root',
    SSHPOD_EMPTY_DIRS: '700\t/root',
    SSHPOD_ETC: '/s/etc',
    SSHPOD_TMP_OPTIONS: 'mode=1777,nosuid,nodev',
    SSHPOD_MOUNTS: '',
    SSHPOD_WORKDIR: '/',
    SSHPOD_READONLY_ROOT: 'false',
  });
});

test('setupEnvironment: /tmp knobs, read-only root, volumes parents first', () => {
  const env = setupEnvironment(
    spec({
      noexecTmp: true,
      readOnlyTmp: true,
      readOnlyRootFilesystem: true,
      volumeMounts: [
        { name: 'b', mountPath: '/data/inner', readOnly: true },
        { name: 'a', mountPath: '/data' },
      ],
    }),
    image,
    volumes,
    paths,
    '/app',
  );
  assert.equal(env.SSHPOD_TMP_OPTIONS, 'mode=1777,nosuid,nodev,noexec,ro');
  assert.equal(env.SSHPOD_READONLY_ROOT, 'true');
  assert.equal(env.SSHPOD_WORKDIR, '/app');
  assert.equal(env.SSHPOD_MOUNTS, 'rw\t/s/volumes/a\t/data\nro\t/s/volumes/b\t/data/inner');
});

test('setupEnvironment refuses what the script cannot express', () => {
  assert.throws(() => setupEnvironment(spec({ volumeMounts: [{ name: 'x', mountPath: '/x' }] }), image, volumes, paths, '/'), /mounts volume "x", which the pod does not define/);
  assert.throws(() => setupEnvironment(spec({ volumeMounts: [{ name: 'a', mountPath: 'rel' }] }), image, volumes, paths, '/'), /must be absolute/);
  assert.throws(() => setupEnvironment(spec({ volumeMounts: [{ name: 'a', mountPath: '/a\tb' }] }), image, volumes, paths, '/'), /contains a tab or a newline/);
  assert.throws(() => setupEnvironment(spec(), { ...image, layers: ['/a:b'] }, volumes, paths, '/'), /cannot be an overlay lowerdir/);
});
