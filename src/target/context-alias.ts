// Context names come from kubeconfigs and may hold characters a hostname cannot
// (`arn:aws:eks:eu-west-1:123456789012:cluster/prod`, `gke_proj_europe-west1_prod`,
// `admin@kind`). Each context therefore also answers to a hostname-safe alias: lower case, every
// run of other characters turned into one "-", no "-" at either end.
import { SshpodError } from '../errors.ts';

export function contextAlias(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The kubeconfig context that the hostname's `context--` value names. */
export function matchContext(wanted: string, available: readonly string[]): string {
  if (available.includes(wanted)) return wanted;
  const alias = contextAlias(wanted);
  const matches = available.filter((name) => contextAlias(name) === alias);
  if (matches.length === 1) return matches[0] as string;
  const listing = available.map((name) => {
    const safe = contextAlias(name);
    return safe === name ? name : `${safe} (${name})`;
  });
  if (matches.length > 1) {
    throw new SshpodError('config', `context "${wanted}" is ambiguous: it matches ${matches.map((m) => `"${m}"`).join(', ')}`, {
      hint: 'rename one of those contexts in your kubeconfig (kubectl config rename-context OLD NEW)',
    });
  }
  throw new SshpodError('config', `no context "${wanted}" in your kubeconfig`, {
    hint: available.length === 0 ? 'your kubeconfig has no contexts: check KUBECONFIG or ~/.kube/config' : `use one of: ${listing.join(', ')}`,
  });
}

/**
 * How the hostname names a context: its hostname-safe alias (ssh lowers the case of hostnames, and
 * names like `arn:aws:eks:…/prod` or `admin@kind` cannot be written at all), or the exact name
 * when another context shares that alias and the name itself can be written.
 */
export function contextInHostname(context: string, names: readonly string[]): string {
  const alias = contextAlias(context);
  for (const candidate of [alias, context]) {
    if (candidate === '' || !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(candidate)) continue;
    try {
      if (matchContext(candidate, names) === context) return candidate;
    } catch {
      // ambiguous: try the next way of writing it
    }
  }
  const sharing = names.filter((name) => name !== context && contextAlias(name) === alias);
  throw new SshpodError('config', `context "${context}" cannot be named in an sshpod hostname${sharing.length > 0 ? `: its hostname form "${alias}" also names ${sharing.map((n) => `"${n}"`).join(', ')}` : ''}`, {
    hint: 'rename one of those contexts (kubectl config rename-context OLD NEW)',
  });
}
