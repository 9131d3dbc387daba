import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerCommand } from './command.ts';
import { processEnvironment } from './environment.ts';
import { parsePasswd, resolveUser } from './user.ts';

const passwd = parsePasswd(
  'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n# comment\nbroken line\napp:x:1000:2000::/srv/app:/bin/sh\n',
);

test('parsePasswd keeps well-formed entries', () => {
  assert.deepEqual(passwd, [
    { name: 'root', uid: 0, gid: 0, home: '/root' },
    { name: 'nobody', uid: 65534, gid: 65534, home: '/home' },
    { name: 'app', uid: 1000, gid: 2000, home: '/srv/app' },
  ]);
});

test('resolveUser follows runc: passwd gid and home, else 0 and /', () => {
  const cases: [number | undefined, number | undefined, ReturnType<typeof resolveUser>][] = [
    [undefined, undefined, { uid: 0, gid: 0, home: '/root' }],
    [1000, undefined, { uid: 1000, gid: 2000, home: '/srv/app' }],
    [1000, 3000, { uid: 1000, gid: 3000, home: '/srv/app' }],
    [4242, undefined, { uid: 4242, gid: 0, home: '/' }],
    [4242, 4242, { uid: 4242, gid: 4242, home: '/' }],
  ];
  for (const [uid, gid, expected] of cases) assert.deepEqual(resolveUser(passwd, uid, gid), expected, `${uid}/${gid}`);
});

test('processEnvironment layers image, HOSTNAME, spec, HOME and TERM', () => {
  const image = { PATH: '/usr/bin:/bin' };
  assert.deepEqual(processEnvironment({ image, hostname: 'web-0', spec: { A: '1' }, home: '/root' }), [
    ['PATH', '/usr/bin:/bin'],
    ['HOSTNAME', 'web-0'],
    ['A', '1'],
    ['HOME', '/root'],
  ]);
  assert.deepEqual(
    processEnvironment({ image, hostname: 'h', spec: { PATH: '/opt', HOME: '/x', HOSTNAME: 'y' }, home: '/root', tty: true }),
    [
      ['PATH', '/opt'],
      ['HOSTNAME', 'y'],
      ['HOME', '/x'],
      ['TERM', 'xterm'],
    ],
  );
  assert.deepEqual(
    processEnvironment({ image, hostname: 'h', spec: { TERM: 'dumb' }, home: '/', tty: true }).find(([k]) => k === 'TERM'),
    ['TERM', 'dumb'],
  );
});

test('containerCommand applies command/args over the image CMD', () => {
  const cmd = ['sleep', 'infinity'];
  assert.deepEqual(containerCommand(cmd), ['sleep', 'infinity']);
  assert.deepEqual(containerCommand(cmd, ['sh', '-c'], ['echo hi']), ['sh', '-c', 'echo hi']);
  assert.deepEqual(containerCommand(cmd, undefined, ['top']), ['top']);
  assert.deepEqual(containerCommand(cmd, [], []), ['sleep', 'infinity']);
});
