// Kubernetes name rules, checked before any API call so that a typo gets a precise message
// instead of a 404. Pods, workloads and contexts can be DNS subdomains (dots allowed);
// namespaces and containers are DNS labels.

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export type NameRule = 'label' | 'subdomain';

/** Why `name` is not a valid Kubernetes name of that kind, or undefined when it is. */
export function nameProblem(name: string, rule: NameRule): string | undefined {
  if (name === '') return 'it is empty';
  const max = rule === 'label' ? 63 : 253;
  if (name.length > max) return `it is longer than ${max} characters`;
  if (/[A-Z]/.test(name)) return 'it contains upper-case letters';
  const labels = rule === 'label' ? [name] : name.split('.');
  for (const label of labels) {
    if (label === '') return 'it has an empty part between dots';
    if (rule === 'subdomain' && label.length > 63) return 'a part between dots is longer than 63 characters';
    if (!dnsLabel.test(label)) {
      return rule === 'label' && label.includes('.')
        ? 'it contains a dot'
        : 'it may contain only a-z, 0-9 and "-" (and "." between parts), starting and ending with a letter or digit';
    }
  }
  return undefined;
}
