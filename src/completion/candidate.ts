// A completion candidate and how it travels to the shell scripts: one per line, `=` before a
// finished word (the shell adds its space, or `:` for scp and rsync) and `+` before a word that
// goes on (`pod--`, `namespace--shop.`, `deployment/`), after which no space may follow.

export interface Candidate {
  text: string;
  final: boolean;
}

export function finished(text: string): Candidate {
  return { text, final: true };
}

export function continued(text: string): Candidate {
  return { text, final: false };
}

/** Sorted, without duplicates (a finished word wins over the same word continued). */
export function tidy(candidates: readonly Candidate[]): Candidate[] {
  const byText = new Map<string, Candidate>();
  for (const candidate of candidates) {
    const seen = byText.get(candidate.text);
    if (!seen || (candidate.final && !seen.final)) byText.set(candidate.text, candidate);
  }
  return [...byText.values()].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
}

export function encodeCandidates(candidates: readonly Candidate[]): string {
  return candidates.map((c) => `${c.final ? '=' : '+'}${c.text}\n`).join('');
}
