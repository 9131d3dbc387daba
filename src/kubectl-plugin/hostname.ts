// From kubectl's words to the sshpod hostname ssh is given. The context and namespace are
// resolved as kubectl resolves them (--context, else the kubeconfig's current context; -n, else
// that context's namespace, else "default") and always written into the hostname: the host then
// means the same pod whatever the current context is later, so a shared ssh connection
// (ControlMaster) or a remembered host key never lands in another cluster or namespace.
import { SshpodError } from '../errors.ts';
import { contextInHostname } from '../target/context-alias.ts';
import { formatHostname } from '../target/format-hostname.ts';
import type { KubeFlags, TargetRef } from './args.ts';

export interface KubeFacts {
  currentContext: string | undefined;
  contexts: ReadonlyArray<{ name: string; namespace?: string | undefined }>;
}

export interface Placement {
  context: string;
  namespace: string;
}

/** The context and namespace kubectl would use with these flags. */
export function placement(flags: KubeFlags, facts: KubeFacts): Placement {
  const names = facts.contexts.map((c) => c.name);
  const context = flags.context ?? facts.currentContext;
  if (!context) {
    throw new SshpodError('config', 'current-context is not set in your kubeconfig', {
      hint: names.length > 0 ? `pass --context NAME (one of: ${names.join(', ')}) or run: kubectl config use-context NAME` : 'your kubeconfig has no contexts: check KUBECONFIG or ~/.kube/config',
    });
  }
  const entry = facts.contexts.find((c) => c.name === context);
  if (!entry) {
    throw new SshpodError('config', `context "${context}" does not exist`, {
      hint: names.length > 0 ? `use one of: ${names.join(', ')}` : 'your kubeconfig has no contexts: check KUBECONFIG or ~/.kube/config',
    });
  }
  return { context, namespace: flags.namespace ?? (entry.namespace || 'default') };
}

export function pluginHostname(flags: KubeFlags, target: TargetRef, facts: KubeFacts): string {
  const { context, namespace } = placement(flags, facts);
  return formatHostname({
    kind: target.kind,
    name: target.name,
    namespace,
    context: contextInHostname(context, facts.contexts.map((c) => c.name)),
    ...(flags.container === undefined ? {} : { container: flags.container }),
  });
}
