// Would ssh accept a host key for a name, given the known_hosts text it checks against? The same
// matching OpenSSH does (hostfile.c, match.c): the name as ssh looks it up (lower case, `[host]:port`
// for ports other than 22), comma-separated patterns with `*` and `?`, `!` negating a line, hashed
// names and markers skipped (sshpod writes neither), and a `@revoked` key refused outright.
import { keyMaterial } from '../ssh/openssh-key.ts';

export function lookupName(host: string, port: number): string {
  const lower = host.toLowerCase();
  return port === 22 ? lower : `[${lower}]:${port}`;
}

function patternMatches(name: string, pattern: string): boolean {
  const source = pattern
    .toLowerCase()
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(name);
}

/** OpenSSH's match_hostname: a negated pattern that matches vetoes the line. */
function listMatches(name: string, patterns: string): boolean {
  let matched = false;
  for (const pattern of patterns.split(',')) {
    if (pattern.startsWith('!')) {
      if (patternMatches(name, pattern.slice(1))) return false;
    } else if (patternMatches(name, pattern)) {
      matched = true;
    }
  }
  return matched;
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
    if (`${type} ${blob}` !== wanted || !listMatches(name, patterns)) continue;
    if (marker === '@revoked') return false;
    if (marker === undefined) accepted = true;
  }
  return accepted;
}
