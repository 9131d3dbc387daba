// Would ssh accept a host key for a name, given the known_hosts text it checks against? The same
// matching OpenSSH does (hostfile.c): the name as ssh looks it up (lower case, `[host]:port` for
// ports other than 22) against each line's comma-separated patterns (ssh/host-patterns.ts), hashed
// names and other markers skipped (sshpod writes neither), and a `@revoked` key refused outright.
import { keyMaterial } from '../ssh/openssh-key.ts';
import { patternListMatches } from '../ssh/host-patterns.ts';

export function lookupName(host: string, port: number): string {
  const lower = host.toLowerCase();
  return port === 22 ? lower : `[${lower}]:${port}`;
}

export function knownHostsAccept(text: string, name: string, publicKey: string): boolean {
  const wanted = keyMaterial(publicKey);
  let accepted = false;
  for (const line of text.split(/\r?\n/)) {
    const words = line.trim().split(/\s+/);
    if (words[0] === undefined || words[0] === '' || words[0].startsWith('#')) continue;
    const marker = words[0].startsWith('@') ? words.shift() : undefined;
    const [patterns, type, blob] = words;
    if (!patterns || !type || !blob || patterns.startsWith('|')) continue;
    if (`${type} ${blob}` !== wanted || !patternListMatches(name, patterns.split(','))) continue;
    if (marker === '@revoked') return false;
    if (marker === undefined) accepted = true;
  }
  return accepted;
}
