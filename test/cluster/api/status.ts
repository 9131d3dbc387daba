// metav1.Status bodies with kube-apiserver's exact reasons and message formats
// (k8s.io/apimachinery/pkg/api/errors). Clients match on `reason` and show `message`, and
// sshpod's tests assert the text users see, so these strings must not drift.
import type { Status, StatusCause, StatusDetails } from './types.ts';
import { qualifiedKind, qualifiedResource } from './resources.ts';

export class StatusError extends Error {
  readonly status: Status;
  constructor(status: Status) {
    super(status.message ?? status.reason ?? 'error');
    this.status = status;
  }
}

interface GroupResource {
  group: string;
  resource: string;
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
  return new StatusError(status);
}

/** Details as Go serialises StatusDetails: name, group, kind, uid, causes; empty ones omitted. */
function details(name: string | undefined, group: string, kind: string, causes?: StatusCause[]): StatusDetails {
  const d: StatusDetails = {};
  if (name) d.name = name;
  if (group) d.group = group;
  if (kind) d.kind = kind;
  if (causes && causes.length > 0) d.causes = causes;
  return d;
}

/** The body of a DELETE that does not return the object (most resources except pods). */
export function deletedStatus(gr: GroupResource, name: string, uid: string): Omit<Status, 'code'> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...details(name, gr.group, gr.resource), uid } };
}

export function notFound(gr: GroupResource, name: string): StatusError {
  return failure(404, 'NotFound', `${qualifiedResource(gr.group, gr.resource)} "${name}" not found`, details(name, gr.group, gr.resource));
}

export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return failure(409, 'AlreadyExists', `${qualifiedResource(gr.group, gr.resource)} "${name}" already exists`, details(name, gr.group, gr.resource));
}

export function conflict(gr: GroupResource, name: string, why: string): StatusError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(gr.group, gr.resource)} "${name}": ${why}`, details(name, gr.group, gr.resource));
}

export const modifiedConflictReason = 'the object has been modified; please apply your changes to the latest version and try again';

/** A field error as k8s.io/apimachinery/pkg/util/validation/field renders it. */
export interface FieldError {
  type: 'Required' | 'Invalid' | 'Forbidden' | 'NotSupported' | 'Duplicate';
  field: string;
  value?: unknown;
  detail?: string;
}

const fieldErrorWords: Record<FieldError['type'], string> = {
  Required: 'Required value',
  Invalid: 'Invalid value',
  Forbidden: 'Forbidden',
  NotSupported: 'Unsupported value',
  Duplicate: 'Duplicate value',
};

function goValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}

export function fieldErrorBody(e: FieldError): string {
  let s = fieldErrorWords[e.type];
  if (e.type !== 'Required' && e.type !== 'Forbidden' && 'value' in e) s += `: ${goValue(e.value)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function invalid(group: string, kind: string, name: string, errors: FieldError[]): StatusError {
  const rendered = errors.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  const aggregate = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
  const causes = errors.map((e) => ({ reason: `FieldValue${e.type}`, message: fieldErrorBody(e), field: e.field }));
  return failure(422, 'Invalid', `${qualifiedKind(group, kind)} "${name}" is invalid: ${aggregate}`, details(name, group, kind, causes));
}

/** The 403 body of kube-apiserver's authorization filter (responsewriters.Forbidden). */
export function forbidden(gr: GroupResource, name: string, reasonText: string): StatusError {
  const qualified = qualifiedResource(gr.group, gr.resource);
  const message = !gr.resource
    ? `forbidden: ${reasonText}`
    : name
      ? `${qualified} "${name}" is forbidden: ${reasonText}`
      : `${qualified} is forbidden: ${reasonText}`;
  return failure(403, 'Forbidden', message, details(name, gr.group, gr.resource));
}

export function unauthorized(): StatusError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function badRequest(message: string): StatusError {
  return failure(400, 'BadRequest', message);
}

export function methodNotAllowed(gr: GroupResource, action: string): StatusError {
  return failure(405, 'MethodNotAllowed', `${action} is not supported on resources of kind "${qualifiedResource(gr.group, gr.resource)}"`, details(undefined, gr.group, gr.resource));
}

export function unsupportedMediaType(accepted: string[]): StatusError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

export function pathNotFound(): StatusError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function expired(message: string): StatusError {
  return failure(410, 'Expired', message);
}

export function internalError(message: string): StatusError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

export function namespaceTerminating(namespace: string, gr: GroupResource, name: string): StatusError {
  return failure(403, 'Forbidden', `${qualifiedResource(gr.group, gr.resource)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
    ...details(name, gr.group, gr.resource),
    causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
  });
}

export function invalidPatch(message: string): StatusError {
  return failure(422, 'Invalid', message);
}
