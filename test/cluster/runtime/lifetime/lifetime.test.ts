import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cgroup2MountPoint } from './cgroup.ts';
import { mountsUnder } from './stale.ts';

const mountinfo = [
  '25 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '35 25 0:29 / /sys/fs/cgroup rw,nosuid - tmpfs tmpfs rw,mode=755',
  '36 35 0:30 / /sys/fs/cgroup/unified ro,nosuid shared:9 - cgroup2 cgroup2 rw',
  '37 35 0:31 / /sys/fs/cgroup/unified2 rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate',
  '40 25 0:40 / /tmp/state\\040dir/pods/a/volumes/m rw - tmpfs tmpfs rw',
  '41 25 0:41 / /tmp/state\\040dir/pods/a rw - tmpfs tmpfs rw',
  '42 25 0:42 / /tmp/state\\040directory rw - tmpfs tmpfs rw',
].join('\n');

test('cgroup2MountPoint finds the first writable cgroup2 mount', () => {
  assert.equal(cgroup2MountPoint(mountinfo), '/sys/fs/cgroup/unified2');
  assert.equal(cgroup2MountPoint('25 1 254:0 / / rw - ext4 /dev/vda rw'), undefined);
});

test('mountsUnder lists mounts at or below a directory, deepest first, unescaped', () => {
  assert.deepEqual(mountsUnder(mountinfo, '/tmp/state dir'), ['/tmp/state dir/pods/a/volumes/m', '/tmp/state dir/pods/a']);
});
