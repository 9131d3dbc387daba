// The web terminal's audit trail: one JSON line per event — who (the user the mounting server
// authenticated, the peer address), what (a terminal opened or ended, a pod made or deleted, a
// request refused and why), where (context, hostname, namespace, pod, container). Never a token,
// a cookie, a credential or a keystroke; the pod's output is not recorded either.

export type AuditAction = 'terminal-open' | 'terminal-end' | 'pod-created' | 'pod-deleted' | 'refused' | 'server-start' | 'server-stop';

export type AuditEvent = {
  action: AuditAction;
  user?: string;
  peer?: string;
  context?: string;
  hostname?: string;
  namespace?: string;
  pod?: string;
  container?: string;
  /** Why: the refusal's reason, how a terminal or pod ended. */
  reason?: string;
  durationMs?: number;
  bytesIn?: number;
  bytesOut?: number;
  listen?: string;
};

export type Audit = (event: AuditEvent) => void;

export { auditLine } from '../audit/audit-line.ts';
