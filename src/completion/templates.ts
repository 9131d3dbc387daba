// Names of the pod templates for on-demand hosts (`template--NAME.sshpod`): the `*.yaml` files in
// ~/.config/sshpod/templates. Completion only lists the names; reading a template is the on-demand
// feature's business.
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function templatesDir(home = homedir()): string {
  return join(home, '.config', 'sshpod', 'templates');
}

export function templateNames(dir = templatesDir()): string[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .filter((name) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
    .sort();
}
