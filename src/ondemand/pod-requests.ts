// The three writes an on-demand pod takes — create, annotate (a shared pod's holders), delete —
// with their refusals in words: RBAC names the verb the server checked (`create pods`); a
// ResourceQuota or an admission policy (PodSecurity, a webhook) refusing the pod is about the
// template, not about permissions, and says so; an invalid pod names the template to fix.
import type { KubeApi } from '../kube/api.ts';
import type { Operation } from '../kube/api-error.ts';
import { checkedPermission } from '../kube/api-error.ts';
import type { Pod } from '../kube/types.ts';
import { podPath, podsPath } from '../kube/paths.ts';
import { SshpodError, isSshpodError } from '../errors.ts';

export const ONDEMAND_PERMISSIONS = 'create, get, list and delete on pods (and patch for a shared template), get and create on pods/exec and pods/portforward';

/** The refusal of a write, reworded for on-demand pods (pure). */
export function onDemandRefusal(error: unknown, operation: Operation, template: { name: string; source: string }): unknown {
  if (!isSshpodError(error)) return error;
  const serverMessage = error.message.replace(/^not allowed to [^:]*: /, '');
  if (error.kind === 'forbidden') {
    if (/exceeded quota/i.test(serverMessage)) {
      return new SshpodError('forbidden', `namespace "${operation.namespace}" has no room for the pod of template "${template.name}" (its ResourceQuota): ${serverMessage}`, {
        hint: 'delete pods you no longer need there (sshpod cleanup removes finished sshpod pods), or ask for more quota; resource requests in the template count against it',
        cause: error,
      });
    }
    // The ServiceAccount admission plugin: a kubectl workstation's account is missing.
    const account = /error looking up service account ([^:\s]+)/.exec(serverMessage);
    if (account) {
      return new SshpodError('config', `template "${template.name}" runs as ServiceAccount ${account[1]}, which does not exist: ${serverMessage}`, {
        hint: 'ask your cluster admin to create it and grant it your rights, or name another one in the template (see "kubectl workstation" in sshpod\'s README)',
        cause: error,
      });
    }
    const checked = checkedPermission(serverMessage);
    if (checked) {
      const needs = template.name ? `template--${template.name} needs` : 'on-demand pods need';
      return new SshpodError('forbidden', `not allowed to ${checked.verb} ${checked.resource} in namespace "${operation.namespace}", which ${needs}: ${serverMessage}`, {
        hint: `ask your cluster admin for RBAC permission to ${checked.verb} ${checked.resource} in namespace "${operation.namespace}" (on-demand pods need ${ONDEMAND_PERMISSIONS})`,
        cause: error,
      });
    }
    if (operation.verb === 'create') {
      return new SshpodError('forbidden', `the cluster refused the pod of template "${template.name}": ${serverMessage}`, {
        hint: `an admission policy of namespace "${operation.namespace}" (PodSecurity, a webhook) does not accept it: change ${template.source === 'built in' ? `the template (write your own ~/.config/sshpod/templates/${template.name}.yaml)` : template.source}`,
        cause: error,
      });
    }
  }
  if (error.kind === 'api' && operation.verb === 'create' && /\bis invalid\b/.test(error.message)) {
    return new SshpodError('config', `template "${template.name}" (${template.source}) makes a pod the cluster rejects: ${error.message.replace(/^the API server refused to [^:]*: /, '')}`, {
      hint: 'fix the template; kubectl create --dry-run=server -f FILE shows the same',
      cause: error,
    });
  }
  return error;
}

export async function createPod(api: KubeApi, manifest: { metadata: { namespace: string } }, template: { name: string; source: string }): Promise<Pod> {
  const namespace = manifest.metadata.namespace;
  const operation: Operation = { verb: 'create', resource: 'pods', namespace };
  try {
    return await api.request<Pod>('POST', podsPath(namespace), operation, { body: manifest });
  } catch (error) {
    throw onDemandRefusal(error, operation, template);
  }
}

export interface PodRef {
  namespace: string;
  pod: string;
  podUid: string;
}

/**
 * Deletes the pod if it is still that incarnation (uid precondition) and, given one, that version
 * (resourceVersion: nobody joined a shared pod meanwhile). `conflict` when a precondition failed,
 * `gone` when it was not there.
 */
export async function deletePod(api: KubeApi, ref: PodRef, resourceVersion?: string): Promise<'deleted' | 'gone' | 'conflict'> {
  const operation: Operation = { verb: 'delete', resource: 'pods', namespace: ref.namespace, name: ref.pod };
  const preconditions: Record<string, string> = { uid: ref.podUid };
  if (resourceVersion) preconditions['resourceVersion'] = resourceVersion;
  try {
    await api.request('DELETE', podPath(ref.namespace, ref.pod), operation, { body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions } });
    return 'deleted';
  } catch (error) {
    if (isSshpodError(error) && error.kind === 'not-found') return 'gone';
    if (isConflict(error)) return 'conflict';
    throw onDemandRefusal(error, operation, { name: '', source: '' });
  }
}

/** A 409 (a precondition or a resourceVersion that no longer holds), as apiError words it. */
export function isConflict(error: unknown): boolean {
  return isSshpodError(error) && error.kind === 'api' && /\(HTTP 409\)$/.test(error.message);
}

/** Sets annotations if the pod is still at `resourceVersion` (merge patch; 409 otherwise). */
export async function annotatePod(api: KubeApi, ref: PodRef, resourceVersion: string, annotations: Record<string, string | null>): Promise<Pod | 'conflict' | 'gone'> {
  const operation: Operation = { verb: 'patch', resource: 'pods', namespace: ref.namespace, name: ref.pod };
  try {
    return await api.request<Pod>('PATCH', podPath(ref.namespace, ref.pod), operation, {
      body: { metadata: { resourceVersion, annotations } },
      contentType: 'application/merge-patch+json',
    });
  } catch (error) {
    if (isSshpodError(error) && error.kind === 'not-found') return 'gone';
    if (isConflict(error)) return 'conflict';
    throw onDemandRefusal(error, operation, { name: '', source: '' });
  }
}
