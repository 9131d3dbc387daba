// What the web terminal needs of Kubernetes, as an interface the server that mounts it provides:
// `sshpod web` reads the person's kubeconfig (local-kube.ts); the gateway gives connections that
// act as its signed-in user through impersonation, so that the cluster's RBAC decides.
import type { KubeApi } from '../kube/api.ts';
import type { Owner } from '../ondemand/labels.ts';
import type { PodTemplate } from '../ondemand/template.ts';

/** Who is asking, as the mounting server authenticated them. */
export interface WebUser {
  /** For the audit log and for whose on-demand pods are whose. */
  name: string;
  /** Written on the pods made for this user (src/ondemand/labels.ts). */
  owner: Owner;
}

export interface ContextChoice {
  names: string[];
  current: string;
}

export interface KubeSession {
  api: KubeApi;
  context: string;
  /** The namespace a hostname without namespace-- means. */
  namespace: string;
  /** Who the pods made through this connection are for, when the connection knows better than WebUser.owner. */
  owner?: Owner;
}

export interface KubeAccess {
  contexts(user: WebUser): ContextChoice;
  /** A connection for `context` (a name or hostname alias; the current one when undefined), acting as `user`. */
  connect(user: WebUser, context: string | undefined): Promise<KubeSession>;
  /** The pod templates a person may start (template--NAME). */
  templateNames(user: WebUser): string[];
  loadTemplate(user: WebUser, name: string): Promise<PodTemplate>;
  close(): void;
}
