// OpenSSH's host patterns (match.c), as both ssh_config `Host` lines and known_hosts entries use
// them: `*` any run of characters, `?` any one, a comma or space separated list in which a matching
// `!pattern` vetoes the whole list. Names are compared in lower case, as ssh compares them.

export function patternMatches(name: string, pattern: string): boolean {
  const source = pattern
    .toLowerCase()
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(name.toLowerCase());
}

export function patternListMatches(name: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (patternMatches(name, pattern.slice(1))) return false;
    } else if (patternMatches(name, pattern)) {
      matched = true;
    }
  }
  return matched;
}
