import { Command } from 'commander';
import { SSHPOD_VERSION } from '../version.ts';

export function buildProgram(): Command {
  const program = new Command('sshpod')
    .description('Reach any Kubernetes container with your own OpenSSH client.')
    .version(SSHPOD_VERSION, '-v, --version');
  return program;
}

await buildProgram().parseAsync(process.argv);
