// A PATH for driving `kubectl ssh` as a user would: a directory holding the plugin executables
// under the names npm and install.sh give them (kubectl-ssh, kubectl_complete-ssh: links to the
// repository's launchers), put in front of the machine's PATH where the real kubectl is.
//
// It also holds `ssh` and `scp` that run the real ones with `-F $HOME/.ssh/config`: ssh finds ~
// through the passwd database, not $HOME, and the suites' HOME is a temporary one (harness.ts
// passes -F for the same reason). BatchMode keeps a mistake from waiting for a password.
import { accessSync, constants, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repo } from './harness.ts';

const systemPath = process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin';

function which(program: string): string {
  for (const dir of systemPath.split(':')) {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return join(dir, program);
    } catch {
      // next directory
    }
  }
  throw new Error(`${program} is not on PATH`);
}

export function pluginPath(home: string): { dir: string; path: string } {
  const dir = join(home, 'plugin-bin');
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(repo, 'bin', 'kubectl-ssh.cjs'), join(dir, 'kubectl-ssh'));
  symlinkSync(join(repo, 'bin', 'kubectl_complete-ssh.cjs'), join(dir, 'kubectl_complete-ssh'));
  for (const program of ['ssh', 'scp']) {
    writeFileSync(join(dir, program), `#!/bin/sh\nexec '${which(program)}' -F "$HOME/.ssh/config" -o BatchMode=yes "$@"\n`, { mode: 0o755 });
  }
  return { dir, path: `${dir}:${systemPath}` };
}
