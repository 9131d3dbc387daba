// The completion scripts are real shell files: each parses in its shell and bash's passes
// shellcheck; `sshpod completion SHELL` prints them with this sshpod written in, quoted for that shell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { completionScript, quoteFor, SHELLS, type Shell } from '../../src/completion/script.ts';

const file = (shell: Shell): string => fileURLToPath(new URL(`../../src/completion/shells/sshpod.${shell}`, import.meta.url));
const bin = fileURLToPath(new URL('../../bin/sshpod.cjs', import.meta.url));
const has = (program: string): boolean => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;

const syntaxCheck: Record<Shell, string[]> = { bash: ['bash', '-n'], zsh: ['zsh', '-n'], fish: ['fish', '--no-execute'] };

for (const shell of SHELLS) {
  test(`the ${shell} script parses`, { skip: has(shell) ? false : `${shell} is not installed (scripts/install-host-deps.sh installs it)` }, () => {
    const [program, ...args] = syntaxCheck[shell];
    const result = spawnSync(program as string, [...args, file(shell)], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  test(`sshpod completion ${shell} prints it with node and sshpod by absolute path`, () => {
    const result = spawnSync(process.execPath, [bin, 'completion', shell], { encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: '/nonexistent' } });
    assert.equal(result.status, 0, result.stderr);
    assert.ok(result.stdout.includes(`${quoteFor(shell, process.execPath)} ${quoteFor(shell, bin)}`), result.stdout.slice(0, 400));
    assert.ok(!result.stdout.includes('@SSHPOD_PROGRAM@'));
  });
}

test('the bash script passes shellcheck', { skip: has('shellcheck') ? false : 'shellcheck is not installed' }, () => {
  const result = spawnSync('shellcheck', ['--shell=bash', file('bash')], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout);
});

test('quoting survives spaces and quotes in paths, in every shell', { skip: SHELLS.every(has) ? false : 'a shell is missing' }, () => {
  const path = "/opt/it's here/\\x $HOME";
  const commands: Record<Shell, string> = {
    bash: 'printf "%s\\n" "${_sshpod_program[@]}"',
    zsh: 'printf "%s\\n" "${_sshpod_program[@]}"',
    fish: 'printf "%s\\n" $__sshpod_program',
  };
  for (const shell of SHELLS) {
    // The script's one line that names the program, run on its own.
    const line = completionScript(shell, ['/usr/bin/node', path]).split('\n').find((l) => l.includes('/usr/bin/node'));
    const result = spawnSync(shell, ['-c', `${line}\n${commands[shell]}`], { encoding: 'utf8' });
    assert.equal(result.stdout, `/usr/bin/node\n${path}\n`, `${shell}: ${result.stderr}`);
  }
});
