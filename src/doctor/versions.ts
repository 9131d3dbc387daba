// Doctor: the programs sshpod runs with — Node.js (20 or newer, what sshpod is built for) and the
// OpenSSH client (6.8 or newer: the oldest that reads every line of the block, UpdateHostKeys).
import { spawnSync } from 'node:child_process';
import { failed, passed, type Check } from './checklist.ts';

export const NODE_MAJOR = 20;
export const OPENSSH_MINIMUM: [number, number] = [6, 8];

export function nodeCheck(version = process.version): Check {
  const major = Number(/^v(\d+)/.exec(version)?.[1]);
  return major >= NODE_MAJOR ? passed(`Node.js ${version}`) : failed(`Node.js ${version} is ${NODE_MAJOR} or newer`, `install Node.js ${NODE_MAJOR} or newer, then run sshpod configure again`);
}

/** `OpenSSH_9.2p1 Debian-2, OpenSSL 3.0` → [9, 2]. */
export function opensshVersion(banner: string): [number, number] | undefined {
  const match = /OpenSSH_for_Windows_(\d+)\.(\d+)|OpenSSH_(\d+)\.(\d+)/.exec(banner);
  if (!match) return undefined;
  return match[1] !== undefined ? [Number(match[1]), Number(match[2])] : [Number(match[3]), Number(match[4])];
}

export function opensshCheck(): Check {
  const result = spawnSync('ssh', ['-V'], { encoding: 'utf8', timeout: 10_000 });
  if (result.error) return failed('the OpenSSH client (ssh) is installed', `install it (Debian/Ubuntu: apt-get install openssh-client): ${result.error.message}`);
  const banner = `${result.stderr}${result.stdout}`.trim().split('\n')[0] ?? '';
  const version = opensshVersion(banner);
  const [major, minor] = OPENSSH_MINIMUM;
  if (!version) return failed(`ssh is OpenSSH (it says: ${banner})`, 'sshpod needs the OpenSSH client');
  if (version[0] < major || (version[0] === major && version[1] < minor)) return failed(`${banner} is OpenSSH ${major}.${minor} or newer`, 'upgrade the OpenSSH client');
  return passed(banner);
}
