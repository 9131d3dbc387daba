// API failures in words a user can act on. The operation sshpod attempted is known to the caller,
// so a 403 names the exact RBAC verb and resource to ask for, whatever the server's wording.
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

export function describeOperation(operation: Operation): string {
  const what = operation.name ? `${operation.resource} "${operation.name}"` : operation.resource;
  return `${operation.verb} ${what} in namespace "${operation.namespace}"`;
}

export const NEEDED_PERMISSIONS = 'get/list on pods and the workload kind, create on pods/exec and pods/portforward';

/** A non-2xx answer (to a GET or in place of a WebSocket upgrade) as an SshpodError. */
export function apiError(statusCode: number, body: string, operation: Operation, context: string): SshpodError {
  const status = parseStatus(body);
  const serverMessage = status?.message ?? (body.trim().slice(0, 200) || `HTTP ${statusCode}`);
  switch (statusCode) {
    case 401:
      return new SshpodError('config', `the cluster of context "${context}" did not accept your credentials (401 Unauthorized)`, {
        hint: 'log in again (e.g. refresh your cloud CLI session) or fix the user of that context',
      });
    case 403:
      return new SshpodError('forbidden', `not allowed to ${describeOperation(operation)}: ${serverMessage}`, {
        hint: `ask your cluster admin for RBAC permission to ${operation.verb} ${operation.resource} in namespace "${operation.namespace}" (sshpod needs ${NEEDED_PERMISSIONS})`,
      });
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
