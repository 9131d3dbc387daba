// API failures in words a user can act on. A 403 names the RBAC verb and resource to ask for: the
// ones the server says it checked when its message says (`User "u" cannot get resource "pods/exec"`),
// else the operation sshpod attempted. They differ for exec and port-forward over WebSocket, which
// kube-apiserver before 1.35 authorises as `get` and 1.35+ as `get` and `create`.
import { SshpodError } from '../errors.ts';
import type { Status } from './types.ts';
import { seconds, TIMEOUT_HINT } from '../timeout.ts';

export interface Operation {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  /** `pods`, `pods/exec`, `deployments.apps`, … */
  resource: string;
  namespace: string;
  name?: string;
}

/** A metav1.Status in a response body or on exec's status channel, if the text is one. */
export function parseStatus(body: string): Status | undefined {
  try {
    const parsed = JSON.parse(body) as Status;
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function describeOperation(operation: Operation, verb: string = operation.verb, resource: string = operation.resource): string {
  const what = operation.name ? `${resource} "${operation.name}"` : resource;
  return `${verb} ${what} in namespace "${operation.namespace}"`;
}

export const NEEDED_PERMISSIONS = 'get/list on pods and the workload kind, get and create on pods/exec and pods/portforward';

/**
 * The verb and resource a Forbidden message says were checked (kube-apiserver's
 * responsewriters.forbiddenMessage: `User "u" cannot get resource "pods/exec" in API group "" …`),
 * with the API group appended as RBAC names it (`deployments.apps`).
 */
export function checkedPermission(message: string): { verb: string; resource: string } | undefined {
  const match = /\bcannot ([a-z]+) resource "([^"]+)"(?: in API group "([^"]*)")?/.exec(message);
  if (!match) return undefined;
  const [, verb, resource, group] = match as unknown as [string, string, string, string | undefined];
  const [base, sub] = resource.split('/', 2) as [string, string | undefined];
  const qualified = group ? `${base}.${group}${sub ? `/${sub}` : ''}` : resource;
  return { verb, resource: qualified };
}

/** A non-2xx answer (to a GET or in place of a WebSocket upgrade) as an SshpodError. */
export function apiError(statusCode: number, body: string, operation: Operation, context: string): SshpodError {
  const status = parseStatus(body);
  const serverMessage = status?.message ?? (body.trim().slice(0, 200) || `HTTP ${statusCode}`);
  switch (statusCode) {
    case 401:
      return new SshpodError('config', `the cluster of context "${context}" did not accept your credentials (401 Unauthorized)`, {
        hint: 'log in again (e.g. refresh your cloud CLI session) or fix the user of that context',
      });
    case 403: {
      const checked = checkedPermission(serverMessage);
      const verb = checked?.verb ?? operation.verb;
      const resource = checked?.resource ?? operation.resource;
      return new SshpodError('forbidden', `not allowed to ${describeOperation(operation, verb, resource)}: ${serverMessage}`, {
        hint: `ask your cluster admin for RBAC permission to ${verb} ${resource} in namespace "${operation.namespace}" (sshpod needs ${NEEDED_PERMISSIONS})`,
      });
    }
    case 404:
      return new SshpodError('not-found', serverMessage, { hint: `check the name and namespace (context "${context}")` });
    default:
      return new SshpodError('api', `the API server refused to ${describeOperation(operation)}: ${serverMessage} (HTTP ${statusCode})`, {
        hint: 'run again with --log-level debug to see the requests',
      });
  }
}

/** A failure below HTTP: DNS, refused connection, TLS. */
export function transportError(error: unknown, connection: { server: URL; context: string }): SshpodError {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? String(error);
  const server = connection.server.origin;
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new SshpodError('api', `cannot verify the TLS certificate of the Kubernetes API at ${server} (context "${connection.context}"): ${message}`, {
      hint: "check the cluster's certificate-authority in your kubeconfig",
      cause: error,
    });
  }
  return new SshpodError('api', `cannot reach the Kubernetes API at ${server} (context "${connection.context}"): ${message}`, {
    hint: 'check that the cluster is up and reachable from here (VPN, proxy), and the server address in your kubeconfig',
    cause: error,
  });
}

/** A step that did not finish within the step timeout (src/timeout.ts). */
export function timeoutError(connection: { server: URL; context: string }, operation: Operation, ms: number): SshpodError {
  return new SshpodError(
    'timeout',
    `the Kubernetes API at ${connection.server.origin} (context "${connection.context}") did not answer within ${seconds(ms)} (trying to ${describeOperation(operation)})`,
    { hint: TIMEOUT_HINT },
  );
}
