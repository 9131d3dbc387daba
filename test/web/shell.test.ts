// What the web terminal runs in a container and how its end reads: "no shell" only when the
// runtime says so, never because of what a shell that ran printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SHELL_COMMAND, exitMessage, isNoShell, noShellError } from '../../src/web/shell.ts';
import type { ExecResult } from '../../src/kube/exec.ts';

type Ended = Pick<ExecResult, 'exitCode' | 'status'>;
const failure = (message: string, code?: number): Ended => ({
  exitCode: code,
  status: { status: 'Failure', message, ...(code === undefined ? {} : { reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] } }) } as ExecResult['status'],
});
const runtimeLine = 'OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown\r\n';

test('a missing shell, as runtimes report it', () => {
  const cases: Array<[string, Ended, string, boolean]> = [
    ['the status says the executable is missing', failure('exec: "sh": executable file not found in $PATH', 127), '', true],
    ['containerd: no such file or directory', failure('OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": stat sh: no such file or directory: unknown'), '', true],
    ["the runtime's own first line on the terminal", failure('command terminated with non-zero exit code: error executing command [sh -c …], exit code 127', 127), runtimeLine, true],
    ['126/127 without a byte of output', { exitCode: 127, status: undefined }, '', true],
    ['126 with only whitespace', { exitCode: 126, status: undefined }, ' \r\n', true],
    // A shell that ran and ended: whatever it printed.
    ['exit 0', { exitCode: 0, status: { status: 'Success' } as ExecResult['status'] }, '# exit\r\n', false],
    ['a command that printed the words, then exit 1', failure('command terminated with non-zero exit code: exit code 1', 1), "# cat x\r\ncat: can't open 'x': No such file or directory\r\n# exit 1\r\n", false],
    ['a shell that printed the words, then exit 127', { exitCode: 127, status: undefined }, 'sh: foo: not found\r\nexecutable file not found\r\n', false],
    ['a shell imitating the runtime later on', { exitCode: 1, status: undefined }, `# echo hi\r\nhi\r\n${runtimeLine}`, false],
    ['the connection dropped', { exitCode: undefined, status: undefined }, '', false],
  ];
  for (const [what, result, output, expected] of cases) assert.equal(isNoShell(result, output), expected, what);
});

test('the no-shell error says what to do instead', () => {
  const error = noShellError({ namespace: 'prod', pod: 'api-1', container: 'app' });
  assert.equal(error.kind, 'container');
  assert.equal(error.message, 'container "app" of pod "api-1" has no shell (sh)');
  assert.match(error.hint ?? '', /template--debug/);
  assert.match(error.hint ?? '', /kubectl debug -it api-1 -n prod --image=busybox --target=app/);
});

test("the line shown when the shell ended", () => {
  const cases: Array<[Ended, string]> = [
    [{ exitCode: 0, status: undefined }, 'the shell ended (exit status 0)'],
    [{ exitCode: 130, status: undefined }, 'the shell ended (exit status 130)'],
    [{ exitCode: undefined, status: { status: 'Failure', message: 'container not running' } as ExecResult['status'] }, 'the session ended: container not running'],
    [{ exitCode: undefined, status: { status: 'Failure', message: 'x'.repeat(1000) } as ExecResult['status'] }, `the session ended: ${'x'.repeat(300)}`],
    [{ exitCode: undefined, status: undefined }, 'the connection to the container ended'],
  ];
  for (const [result, expected] of cases) assert.equal(exitMessage(result), expected);
});

test('the shell command picks the best shell there is and starts it in the home directory', { skip: spawnSync('dash', ['-c', ':']).status === 0 ? false : 'no dash' }, () => {
  assert.deepEqual(SHELL_COMMAND.slice(0, 2), ['sh', '-c']);
  // Run the script itself with a fake PATH of shells: it must exec one of them as a login shell.
  const [, , script, name] = SHELL_COMMAND as [string, string, string, string];
  const probe = spawnSync('dash', ['-c', `${script.replace('exec "$s" -l', 'echo "$s $TERM $PWD"; exit 0')}`, name], { encoding: 'utf8', env: { HOME: '/tmp', PATH: '/usr/bin:/bin' } });
  assert.equal(probe.status, 0, probe.stderr);
  assert.match(probe.stdout, /^\/(usr\/)?bin\/(bash|ash|sh) xterm-256color \/tmp\n$/);
});
