// `sshpod completion bash|zsh|fish`: the shell's script (a real file beside this one, linted and
// tested in those shells; the bundle embeds it at build time) with the way to run this sshpod
// written in: node and the launcher by absolute path, as the ssh config block names them, so
// completion works whatever PATH the shell has.
import { readFileSync, realpathSync } from 'node:fs';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

declare const __SSHPOD_COMPLETION_SCRIPTS__: Record<Shell, string> | undefined;

function template(shell: Shell): string {
  if (typeof __SSHPOD_COMPLETION_SCRIPTS__ === 'object') return __SSHPOD_COMPLETION_SCRIPTS__[shell];
  return readFileSync(new URL(`./shells/sshpod.${shell}`, import.meta.url), 'utf8');
}

/** A word single-quoted for the shell (fish also treats `\` specially inside single quotes). */
export function quoteFor(shell: Shell, word: string): string {
  if (shell === 'fish') return `'${word.replace(/[\\']/g, (c) => `\\${c}`)}'`;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function completionScript(shell: Shell, program: readonly string[]): string {
  return template(shell).replace('@SSHPOD_PROGRAM@', program.map((word) => quoteFor(shell, word)).join(' '));
}

/** node and the launcher this sshpod was started with. */
export function thisProgram(): string[] {
  const launcher = process.argv[1];
  return [process.execPath, launcher ? realpathSync(launcher) : 'sshpod'];
}
