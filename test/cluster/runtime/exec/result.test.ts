import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execResult, exitCodeOf } from './result.ts';

const ran = { execed: true, connected: false };
const failed = (stage: string, errno: number) => ({ execed: true, connected: false, failure: { stage, errno } });

test('execResult reports real exit codes, signals as 128+n', () => {
  assert.deepEqual(execResult(ran, { code: 3, signal: null }, 'sh', '/'), { started: true, exitCode: 3 });
  assert.deepEqual(execResult(ran, { code: null, signal: 'SIGKILL' }, 'sh', '/'), { started: true, exitCode: 137 });
  assert.equal(exitCodeOf({ code: null, signal: 'SIGTERM' }), 143);
});

test('execResult words start failures like runc', () => {
  const cases: [ReturnType<typeof failed>, string, { exitCode: number; message: string }][] = [
    [failed('exec', 2), 'nope', { exitCode: 127, message: 'exec: "nope": executable file not found in $PATH' }],
    [failed('exec', 2), '/bin/nope', { exitCode: 127, message: 'exec: "/bin/nope": stat /bin/nope: no such file or directory' }],
    [failed('exec', 13), '/etc/passwd', { exitCode: 126, message: 'exec: "/etc/passwd": permission denied' }],
    [failed('chdir', 13), 'sh', { exitCode: 126, message: 'chdir to cwd ("/work") set in config.json failed: permission denied' }],
    [failed('setns', 2), 'sh', { exitCode: 126, message: 'setns: no such file or directory' }],
  ];
  for (const [status, command, expected] of cases) {
    assert.deepEqual(execResult(status, { code: 127, signal: null }, command, '/work'), { started: false, ...expected });
  }
});

test('execResult: a helper killed before it reached exec did not start', () => {
  assert.deepEqual(execResult({ execed: false, connected: false }, { code: null, signal: 'SIGKILL' }, 'sh', '/'), {
    started: false,
    exitCode: 126,
    message: 'the process was stopped before it started',
  });
});
