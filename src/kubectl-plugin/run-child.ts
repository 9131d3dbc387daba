// Runs ssh or scp in the plugin's place, as kubectl runs the plugin in its own: the terminal
// (stdin, stdout, stderr) is the child's, the child's exit status becomes ours, and a signal
// sent to us reaches it. A terminal's Ctrl-C already goes to the whole foreground process group;
// the relay matters for signals sent to this process alone (`kill`, a supervisor, a CI timeout).
// When the child dies of a signal we die of the same one, so a caller sees what a direct ssh
// would have shown.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { SshpodError } from '../errors.ts';

const RELAYED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

export function runChild(program: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<never> {
  return new Promise((_resolve, reject) => {
    const child = spawn(program, args, { stdio: 'inherit', env });
    const relays = new Map<NodeJS.Signals, () => void>();
    for (const signal of RELAYED) {
      const relay = (): void => {
        child.kill(signal);
      };
      relays.set(signal, relay);
      process.on(signal, relay);
    }
    const stopRelaying = (): void => {
      for (const [signal, relay] of relays) process.off(signal, relay);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      stopRelaying();
      reject(
        new SshpodError('local', error.code === 'ENOENT' ? `${program} was not found on your PATH` : `could not run ${program}: ${error.message}`, {
          hint: 'install the OpenSSH client (e.g. apt-get install openssh-client)',
        }),
      );
    });
    child.once('exit', (code, signal) => {
      stopRelaying();
      if (signal) {
        process.kill(process.pid, signal); // its default action ends this process…
        // …except for signals Node ignores (SIGPIPE): then the shell's way of saying it.
        setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 100);
        return;
      }
      process.exit(code ?? 1);
    });
  });
}
