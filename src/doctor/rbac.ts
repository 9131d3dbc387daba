// Doctor, given a hostname: may you do what connecting to it takes, in its context and namespace?
// Each permission is asked with a SelfSubjectAccessReview, which changes nothing. sshpod's exec and
// port-forward are WebSocket connections, which some API server versions authorise as `get`
// (kube-apiserver 1.20 does) and others as `create`: both verbs are asked, and both are needed.
import { parseHostname, type TargetSpec, type WorkloadKind } from '../target/hostname.ts';
import { loadKubeConfig, selectContext } from '../kube/kubeconfig.ts';
import { ApiConnection } from '../kube/connection.ts';
import type { SshpodPaths } from '../ssh/paths.ts';
import { failed, passed, type Item } from './checklist.ts';
import { bounded } from './bounded.ts';
import { whatWentWrong } from './what-went-wrong.ts';
import { loadTemplate } from '../ondemand/template-file.ts';
import { workstationOptions } from '../ondemand/workstation.ts';

export interface Permission {
  /** One or more verbs, all of which are needed. */
  verbs: string[];
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
  namespace: string;
  /** Set when sshpod does without it: what a refusal means, printed as a note instead of a ✘. */
  ifRefused?: string;
}

/** Port-forward refused is not the end: sshpod carries SSH over exec instead (src/proxy). */
export const PORTFORWARD_REFUSED =
  'sshpod carries SSH over the exec channel instead, by itself (remembered per context; SSHPOD_TRANSPORT=exec forces it): see "Without port-forward" in the README';

/** The ephemeral container is needed only for containers without a shell (src/ephemeral). */
export const EPHEMERAL_REFUSED =
  'containers with a shell are unaffected; a container without one (distroless, scratch) cannot be reached there: sshpod adds an ephemeral container beside it to run sshd, which takes patch on pods/ephemeralcontainers (as kubectl debug does): ask your cluster admin for it if you need those';

const WORKLOADS: Record<Exclude<WorkloadKind, 'pod'>, { group: string; resource: string }> = {
  deployment: { group: 'apps', resource: 'deployments' },
  statefulset: { group: 'apps', resource: 'statefulsets' },
  daemonset: { group: 'apps', resource: 'daemonsets' },
  replicaset: { group: 'apps', resource: 'replicasets' },
  job: { group: 'batch', resource: 'jobs' },
};

/** What connecting to the target takes (pure); `serviceAccount`: a kubectl workstation template's. */
export function permissionsFor(spec: TargetSpec, namespace: string, serviceAccount?: string): Permission[] {
  const permissions: Permission[] = [];
  if (spec.kind === 'template') {
    // An on-demand pod: made, watched while it starts, deleted at the end; `list` finds finished
    // ones to remove (src/ondemand/). A shared template also needs `patch` (see README).
    permissions.push({ verbs: ['create', 'get', 'delete', 'list'], group: '', resource: 'pods', namespace });
    // A kubectl workstation (src/ondemand/workstation.ts): its token, and the CA for its kubeconfig.
    if (serviceAccount) {
      permissions.push(
        { verbs: ['create'], group: '', resource: 'serviceaccounts', subresource: 'token', name: serviceAccount, namespace },
        { verbs: ['get'], group: '', resource: 'configmaps', name: 'kube-root-ca.crt', namespace },
      );
    }
  } else if (spec.kind === 'pod') {
    permissions.push({ verbs: ['get'], group: '', resource: 'pods', name: spec.name, namespace });
  } else {
    const { group, resource } = WORKLOADS[spec.kind];
    permissions.push({ verbs: ['get'], group, resource, name: spec.name, namespace }, { verbs: ['list'], group: '', resource: 'pods', namespace });
  }
  const pod = spec.kind === 'pod' ? { name: spec.name } : {};
  permissions.push(
    { verbs: ['create', 'get'], group: '', resource: 'pods', subresource: 'exec', ...pod, namespace },
    { verbs: ['create', 'get'], group: '', resource: 'pods', subresource: 'portforward', ...pod, namespace, ifRefused: PORTFORWARD_REFUSED },
  );
  // An on-demand pod is sshpod's own, from a template with a shell: no ephemeral container there.
  if (spec.kind !== 'template') {
    permissions.push({ verbs: ['patch'], group: '', resource: 'pods', subresource: 'ephemeralcontainers', ...pod, namespace, ifRefused: EPHEMERAL_REFUSED });
  }
  return permissions;
}

function describe(permission: Permission, verbs = permission.verbs): string {
  const resource = `${permission.resource}${permission.group ? `.${permission.group}` : ''}${permission.subresource ? `/${permission.subresource}` : ''}`;
  return `${verbs.join(' and ')} ${resource}${permission.name ? ` "${permission.name}"` : ''} in namespace "${permission.namespace}"`;
}

interface Review {
  status?: { allowed?: boolean; denied?: boolean; reason?: string };
}

async function allowed(connection: ApiConnection, permission: Permission, verb: string): Promise<boolean> {
  const review = await connection.request<Review>(
    'POST',
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    { verb: 'create', resource: 'selfsubjectaccessreviews.authorization.k8s.io', namespace: permission.namespace },
    {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {
          resourceAttributes: {
            namespace: permission.namespace,
            verb,
            group: permission.group,
            resource: permission.resource,
            ...(permission.subresource ? { subresource: permission.subresource } : {}),
            ...(permission.name ? { name: permission.name } : {}),
          },
        },
      },
    },
  );
  return review.status?.allowed === true;
}

async function review(connection: ApiConnection, permission: Permission): Promise<Item> {
  const answers = await Promise.all(permission.verbs.map(async (verb) => [verb, await allowed(connection, permission, verb)] as const));
  const refused = answers.filter(([, ok]) => !ok).map(([verb]) => verb);
  if (refused.length === 0) return passed(`you may ${describe(permission)}`);
  const both = refused.length < permission.verbs.length ? ` (${refused.join(' and ')} is refused)` : '';
  if (permission.ifRefused !== undefined) return { note: `you may not ${describe(permission)}${both}\n${permission.ifRefused}` };
  const why = permission.verbs.length > 1 ? ' (API servers differ in which of the two the WebSocket connection sshpod opens needs: grant both)' : '';
  return failed(`you may ${describe(permission)}${both}`, `ask your cluster admin for RBAC permission to ${describe(permission)}${why}`);
}

export async function checkRbac(hostname: string, paths: SshpodPaths, timeoutMs: number): Promise<Item[]> {
  let spec: TargetSpec;
  try {
    spec = parseHostname(hostname);
  } catch (error) {
    const { message, hint } = whatWentWrong(error);
    return [failed(message, hint)];
  }
  let connection: ApiConnection | undefined;
  try {
    const selected = selectContext(loadKubeConfig(), spec.context);
    const namespace = spec.namespace ?? selected.namespace;
    const items: Item[] = [{ note: `${hostname}: ${spec.kind} "${spec.name}" in namespace "${namespace}", context "${selected.context}"` }];
    let serviceAccount: string | undefined;
    if (spec.kind === 'template') {
      try {
        serviceAccount = workstationOptions(await loadTemplate(spec.name))?.serviceAccount;
      } catch {
        // a template that cannot be read is the connection's to explain; the pods' permissions still count
      }
    }
    const work = (async () => {
      connection = await ApiConnection.open(selected, { cacheDir: paths.cacheDir });
      return Promise.all(permissionsFor(spec, namespace, serviceAccount).map((permission) => review(connection as ApiConnection, permission)));
    })();
    items.push(...(await bounded(work, timeoutMs, () => connection?.close())));
    return items;
  } catch (error) {
    const { message, hint } = whatWentWrong(error);
    return [failed(`the permissions for ${hostname}: ${message}`, hint)];
  } finally {
    connection?.close();
  }
}
