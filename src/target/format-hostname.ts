// The other direction of hostname.ts: a target written as a `.sshpod` hostname, for the commands
// that build one from other words (`kubectl ssh -n prod api`, shell completion). Whatever this
// writes, parseHostname reads back as the same target; a name the grammar cannot carry (a dotted
// pod name with a part that reads as a key, `a.ns--b`) is refused rather than written ambiguously.
import { SshpodError } from '../errors.ts';
import { parseHostname, type WorkloadKind } from './hostname.ts';
import { nameProblem } from './names.ts';

export interface HostTarget {
  kind: WorkloadKind;
  name: string;
  container?: string;
  namespace?: string;
  /** A context name or its hostname-safe alias, as the hostname should carry it. */
  context?: string;
}

/** `[container--C.]KIND--NAME[.namespace--N][.context--X].sshpod` */
export function formatHostname(target: HostTarget): string {
  const names: Array<[string, string | undefined, 'label' | 'subdomain']> = [
    [target.kind, target.name, 'subdomain'],
    ['namespace', target.namespace, 'label'],
    ['container', target.container, 'label'],
  ];
  for (const [what, name, rule] of names) {
    const problem = name === undefined ? undefined : nameProblem(name, rule);
    if (problem) throw new SshpodError('usage', `${what} name "${name}" is not valid: ${problem}`, { hint: 'Kubernetes names are lower case: a-z, 0-9 and "-"' });
  }
  const segments = [
    ...(target.container === undefined ? [] : [`container--${target.container}`]),
    `${target.kind}--${target.name}`,
    ...(target.namespace === undefined ? [] : [`namespace--${target.namespace}`]),
    ...(target.context === undefined ? [] : [`context--${target.context}`]),
  ];
  const host = `${segments.join('.')}.sshpod`;
  const unwritable = (why: string): SshpodError =>
    new SshpodError('usage', `${target.kind} "${target.name}" cannot be written as an sshpod hostname: ${why}`, {
      hint: 'a part of a dotted name that looks like key--value cannot be expressed; use another name for it',
    });
  let read: ReturnType<typeof parseHostname>;
  try {
    read = parseHostname(host);
  } catch (error) {
    throw unwritable((error as Error).message);
  }
  if (read.kind !== target.kind || read.name !== target.name || read.container !== target.container || read.namespace !== target.namespace || read.context !== target.context) {
    throw unwritable(`"${host}" would read differently`);
  }
  return host;
}
