// What the user's ssh would do with an sshpod hostname, asked of ssh itself (`ssh -G` prints the
// options it would use, without connecting): whether the *.sshpod block is in effect — without
// it ssh would try DNS and fail with words that say nothing about sshpod — and which login name
// applies when the user gave none.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { SshpodError } from '../errors.ts';

export interface SshView {
  /** The ProxyCommand ssh would run, if any. */
  proxyCommand: string | undefined;
  user: string | undefined;
}

/** `ssh -G` output: one `keyword value` per line, keywords in lower case. */
export function readSshView(text: string): SshView {
  let proxyCommand: string | undefined;
  let user: string | undefined;
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const keyword = line.slice(0, space);
    const value = line.slice(space + 1).trim();
    if (keyword === 'proxycommand') proxyCommand = value;
    else if (keyword === 'user') user = value;
  }
  return { proxyCommand, user };
}

export function isSshpodProxy(proxyCommand: string | undefined): boolean {
  return proxyCommand !== undefined && / proxy --host %h\b/.test(proxyCommand);
}

/** The sshpod script the block's ProxyCommand runs (the word before `proxy`, quoted as configure writes it). */
export function proxyScript(proxyCommand: string): string | undefined {
  const match = /(?:'((?:[^']|'\\'')*)'|"([^"]*)"|(\S+))\s+proxy --host %h\b/.exec(proxyCommand);
  if (!match) return undefined;
  if (match[1] !== undefined) return match[1].replace(/'\\''/g, "'").replace(/%%/g, '%');
  return (match[2] ?? match[3] ?? '').replace(/%%/g, '%');
}

/**
 * The login name `kubectl ssh POD` uses: the User the ssh config sets for the host, else root —
 * not the local user name, which means nothing in a container (kubectl exec runs as the
 * container's user, which is root in most images; sshpod names the right one when it is not).
 */
export function defaultLogin(view: SshView, localUser: string): string {
  return view.user && view.user !== localUser ? view.user : 'root';
}

export function askSsh(host: string, configureCommand: string): { view: SshView; localUser: string } {
  const result = spawnSync('ssh', ['-G', '-T', '--', host], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new SshpodError('local', missing ? 'ssh was not found on your PATH' : `could not run ssh: ${result.error.message}`, {
      hint: missing ? 'install the OpenSSH client (e.g. apt-get install openssh-client)' : 'check your OpenSSH client',
    });
  }
  if (result.status !== 0) {
    throw new SshpodError('local', `ssh cannot read its configuration: ${result.stderr.trim().split('\n')[0] ?? ''}`, { hint: 'fix ~/.ssh/config' });
  }
  const view = readSshView(result.stdout);
  if (!isSshpodProxy(view.proxyCommand)) {
    throw new SshpodError('local', 'ssh is not set up for *.sshpod hosts (no sshpod ProxyCommand for them in your ssh config)', {
      hint: `run: ${configureCommand}`,
    });
  }
  // An upgrade that moved sshpod (krew keeps each version in its own directory) leaves a block
  // naming a program that is gone; ssh would only say "No such file or directory".
  const script = proxyScript(view.proxyCommand as string);
  if (script !== undefined && !existsSync(script)) {
    throw new SshpodError('local', `the *.sshpod block in your ssh config runs ${script}, which no longer exists`, {
      hint: `run: ${configureCommand}`,
    });
  }
  return { view, localUser: userInfo().username };
}
