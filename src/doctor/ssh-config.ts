// Doctor: the Host *.sshpod block. Present in the ssh config, the first thing that applies to
// *.sshpod names (OpenSSH keeps the first value it finds for each option, so any Host, Match,
// Include or top-level option before the block can override it), naming an sshpod that exists,
// and, when it shares connections, a ControlPath that fits a socket address. The truth comes from
// `ssh -G` (what ssh will actually use); a reading of the file points at the lines to blame.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { BEGIN_MARKER, END_MARKER, renderBlock, sharingFits } from '../ssh/config-block.ts';
import { readConfig, resolveConfigPath } from '../ssh/config-file.ts';
import type { SshpodPaths } from '../ssh/paths.ts';
import { patternListMatches } from '../ssh/host-patterns.ts';
import { failed, passed, type Item } from './checklist.ts';

/** Names ssh is asked about: one for each pattern of the block. */
export const PROBE_NAMES = ['doctor-probe.sshpod', 'doctor-probe.sshpod.'];

export interface Shadow {
  line: number;
  text: string;
}

/** The options the block sets (ProxyCommand, IdentityFile, …), lower case. */
function blockKeywords(paths: SshpodPaths): Set<string> {
  const block = renderBlock({ nodePath: 'node', scriptPath: 'sshpod', paths, platform: 'linux' });
  return new Set(block.map((line) => /^\s+(\w+)\s/.exec(line)?.[1]?.toLowerCase()).filter((word): word is string => word !== undefined));
}

/**
 * Lines before sshpod's block that can set its options for *.sshpod names first: such options at
 * the top of the file or in a Host block that matches those names, every Match (it may match
 * anything) and every Include in those places (it may contain anything).
 */
export function shadowingLines(configText: string, keywords: Set<string>): Shadow[] {
  const shadows: Shadow[] = [];
  let applies = true;
  const lines = configText.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line.startsWith(BEGIN_MARKER.slice(0, 16))) break;
    if (line === '' || line.startsWith('#')) continue;
    const [keyword = '', ...rest] = line.split(/[\s=]+/);
    const key = keyword.toLowerCase();
    if (key === 'host') applies = PROBE_NAMES.some((name) => patternListMatches(name, rest));
    else if (key === 'match') applies = true;
    if (key === 'match' || (applies && (key === 'include' || keywords.has(key)))) shadows.push({ line: index + 1, text: line });
  }
  return shadows;
}

/** `ssh -G`'s answer: lower-case keyword → value (the first line for each). */
export function parseSshG(output: string): Map<string, string> {
  const options = new Map<string, string>();
  for (const line of output.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const key = line.slice(0, space);
    if (!options.has(key)) options.set(key, line.slice(space + 1).trim());
  }
  return options;
}

/** The ProxyCommand line of sshpod's block in the file, as written. */
export function blockProxyCommand(configText: string): string | undefined {
  const lines = configText.split(/\r?\n/);
  const begin = lines.findIndex((line) => line.trim().startsWith(BEGIN_MARKER.slice(0, 16)));
  if (begin < 0) return undefined;
  for (const line of lines.slice(begin + 1)) {
    if (line.trim() === END_MARKER) break;
    const match = /^\s*proxycommand\s+(.*)$/i.exec(line);
    if (match) return (match[1] ?? '').trim();
  }
  return undefined;
}

/** The words of a ProxyCommand, with sh's single quotes undone (as the block writes them). */
export function commandWords(command: string): string[] {
  const words: string[] = [];
  const pattern = /'((?:[^']|'\\'')*)'|"([^"]*)"|(\S+)/g;
  for (const match of command.matchAll(pattern)) words.push((match[1]?.replace(/'\\''/g, "'") ?? match[2] ?? match[3] ?? '').replace(/%%/g, '%'));
  return words;
}

function describeShadows(shadows: Shadow[]): string {
  return shadows
    .slice(0, 3)
    .map((shadow) => `line ${shadow.line}: ${shadow.text}`)
    .join('; ');
}

export function checkSshConfig(paths: SshpodPaths, platform = process.platform): Item[] {
  const file = resolveConfigPath(paths.sshConfig);
  const text = readConfig(file);
  const items: Item[] = [];
  if (!text.includes(BEGIN_MARKER.slice(0, 16)) || !text.includes(END_MARKER)) {
    return [failed(`the sshpod block is in ${file}`, 'run sshpod configure')];
  }
  items.push(passed(`the sshpod block is in ${file}`));

  const written = blockProxyCommand(text);
  const shadows = shadowingLines(text, blockKeywords(paths));
  for (const name of PROBE_NAMES) {
    const title = `ssh uses the sshpod block for ${name.endsWith('.') ? 'names with a trailing dot (pod--x.sshpod.)' : '*.sshpod names'}`;
    const result = spawnSync('ssh', ['-G', '-F', file, name], { encoding: 'utf8', timeout: 10_000 });
    if (result.error || result.status !== 0) {
      const why = result.error ? result.error.message : (result.stderr.trim().split('\n')[0] ?? `exit ${result.status}`);
      items.push(failed(`ssh reads ${file} (ssh -G ${name})`, `fix what ssh says: ${why}`));
      return items;
    }
    const effective = parseSshG(result.stdout).get('proxycommand');
    if (effective !== undefined && written !== undefined && effective.replace(/\s+/g, ' ') === written.replace(/\s+/g, ' ')) {
      items.push(passed(title));
    } else {
      const blame = shadows.length > 0 ? `: earlier lines apply first (${describeShadows(shadows)}); ` : ': ';
      items.push(
        failed(
          title,
          `ssh would run ${effective ?? 'no ProxyCommand'}${blame}run sshpod configure (it puts the block first), or move those lines after it`,
        ),
      );
    }
  }
  if (shadows.length > 0 && items.every((item) => !('ok' in item) || item.ok)) {
    items.push({ note: `lines before the sshpod block also apply to *.sshpod names (${describeShadows(shadows)}); options the block sets win over the ones after it only` });
  }

  const words = written ? commandWords(written) : [];
  const node = words[0];
  const script = words.find((word, index) => index > 0 && !word.startsWith('-'));
  if (!node || !script || !existsSync(node) || !existsSync(script)) {
    items.push(failed(`the ProxyCommand's programs exist (${node ?? '?'}, ${script ?? '?'})`, 'run sshpod configure again from the sshpod you use (it writes their current paths)'));
  } else {
    items.push(passed(`the ProxyCommand runs ${script} with ${node}`));
  }

  if (/^\s*controlpath\s/im.test(text.slice(text.indexOf(BEGIN_MARKER.slice(0, 16)), text.indexOf(END_MARKER)))) {
    if (!sharingFits(paths, platform)) {
      items.push(failed(`connection sharing: socket paths under ${paths.controlDir} fit a Unix socket address`, 'run sshpod configure again: it leaves sharing out where the paths are too long'));
    } else if (!existsSync(paths.controlDir) || (statSync(paths.controlDir).mode & 0o077) !== 0) {
      items.push(failed(`connection sharing: ${paths.controlDir} exists, private to you (0700)`, 'run sshpod configure (it creates it)'));
    } else {
      items.push(passed(`connection sharing: ControlPath ${paths.controlDir}/%C fits a socket address`));
    }
  } else {
    items.push({ note: 'connection sharing is off in the block (paths too long for a socket, or Windows)' });
  }
  const passwdHome = (() => {
    try {
      return userInfo().homedir;
    } catch {
      return undefined;
    }
  })();
  if (passwdHome && !file.startsWith(passwdHome) && !paths.sshConfig.startsWith(passwdHome)) {
    items.push({ note: `ssh reads ~/.ssh/config from your home in the password database (${passwdHome}), not from $HOME; this checked ${file}` });
  }
  return items;
}

