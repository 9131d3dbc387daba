// `sshpod configure` / `sshpod unconfigure`: the *.sshpod block in ~/.ssh/config, the keys and
// the known_hosts pin it refers to.
import { realpathSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { sshpodPaths, type SshpodPaths } from '../ssh/paths.ts';
import { renderBlock, sharingFits } from '../ssh/config-block.ts';
import { insertBlock, removeBlock } from '../ssh/config-edit.ts';
import { readConfig, resolveConfigPath, writeConfig } from '../ssh/config-file.ts';
import { ensureKeys, ensurePrivateDir } from '../ssh/keys.ts';
import { pinHostKey } from '../ssh/known-hosts.ts';
import { SshpodError } from '../errors.ts';

export interface ConfigureOptions {
  print?: boolean;
  yes?: boolean;
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

function scriptPath(): string {
  const invoked = process.argv[1];
  if (!invoked) throw new SshpodError('local', 'cannot tell where sshpod is installed');
  return realpathSync(invoked);
}

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await prompt.question(`${question} [Y/n] `)).trim().toLowerCase();
    return answer === '' || answer === 'y' || answer === 'yes';
  } finally {
    prompt.close();
  }
}

function prepareLocalFiles(paths: SshpodPaths): void {
  const keys = ensureKeys(paths);
  pinHostKey(paths.knownHosts, keys.host.publicKey, '*.sshpod', keys.host.publicKey);
  if (sharingFits(paths, process.platform)) ensurePrivateDir(paths.controlDir);
}

export async function configure(options: ConfigureOptions, paths = sshpodPaths()): Promise<void> {
  const block = renderBlock({ nodePath: process.execPath, scriptPath: scriptPath(), paths, platform: process.platform });
  if (options.print) {
    process.stdout.write(`${block.join('\n')}\n`);
    return;
  }
  const target = resolveConfigPath(paths.sshConfig);
  const before = readConfig(target);
  const edit = insertBlock(before, block);
  for (const note of edit.notes) say(`note: ${note}`);
  if (process.platform !== 'win32' && !sharingFits(paths, process.platform)) {
    say(`note: connection sharing (ControlMaster) is off: socket paths under ${paths.controlDir} would be too long for this system`);
  }
  if (!edit.changed) {
    prepareLocalFiles(paths);
    say(`sshpod: ${target} is already configured`);
    return;
  }
  if (!options.yes) {
    if (!process.stdin.isTTY) {
      throw new SshpodError('usage', `not changing ${target} without confirmation`, { hint: 'run sshpod configure --yes, or --print to see the block' });
    }
    say(`sshpod will add this block at the top of ${target}:\n\n${block.join('\n')}\n`);
    if (!(await confirm('Write it?'))) {
      say('sshpod: nothing changed');
      return;
    }
  }
  prepareLocalFiles(paths);
  const backup = writeConfig(target, edit.text, before !== '');
  say(`sshpod: configured ${target}${backup ? ` (backup: ${backup})` : ''}`);
  say('try: ssh root@pod--NAME.namespace--NAMESPACE.sshpod');
}

export function unconfigure(options: { purge?: boolean }, paths = sshpodPaths()): void {
  const target = resolveConfigPath(paths.sshConfig);
  const before = readConfig(target);
  const edit = removeBlock(before);
  if (edit.changed) {
    const backup = writeConfig(target, edit.text, true);
    say(`sshpod: removed the sshpod block from ${target} (backup: ${backup})`);
  } else {
    say(`sshpod: ${target} has no sshpod block`);
  }
  if (options.purge) {
    rmSync(paths.cacheDir, { recursive: true, force: true });
    say(`sshpod: removed ${paths.cacheDir}`);
  }
}
