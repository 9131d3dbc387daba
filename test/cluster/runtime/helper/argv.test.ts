import { test } from 'node:test';
import assert from 'node:assert/strict';
import { helperArgv } from './argv.ts';

test('helperArgv renders only the steps asked for, command last', () => {
  assert.deepEqual(helperArgv({ command: ['true'] }), ['--', 'true']);
  assert.deepEqual(
    helperArgv({
      dieWith: 7,
      cgroupProcs: '/cg/cgroup.procs',
      join: ['/proc/1/ns/net', '/proc/1/ns/mnt'],
      unshare: ['mnt', 'pid'],
      hostname: 'h',
      tty: true,
      pidFd: 3,
      statusFd: 3,
      controlFd: 4,
      pivotRoot: '/r',
      uid: 1000,
      gid: 0,
      cwd: '/w',
      env: [['A', 'b=c']],
      command: ['sh', '-c', 'x'],
    }),
    ['--die-with', '7', '--cgroup', '/cg/cgroup.procs', '--join', '/proc/1/ns/net', '--join', '/proc/1/ns/mnt', '--unshare', 'mnt,pid', '--hostname', 'h', '--tty',
      '--pid-fd', '3', '--status-fd', '3', '--control-fd', '4', '--pivot-root', '/r', '--uid', '1000', '--gid', '0', '--cwd', '/w', '--clear-env', '--env', 'A=b=c',
      '--', 'sh', '-c', 'x'],
  );
  assert.deepEqual(helperArgv({ join: ['/proc/9/ns/net'], statusFd: 3, connectPort: 8080 }), ['--join', '/proc/9/ns/net', '--status-fd', '3', '--connect', '8080']);
});
