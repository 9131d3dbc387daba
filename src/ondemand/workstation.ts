// A kubectl workstation (pure): a template whose pod lets `kubectl` inside it act as the person, and
// only while the pod exists. A template turns it on with an annotation naming the ServiceAccount
// that stands for the person in that namespace:
//   sshpod/kubectl-service-account: NAME     the ServiceAccount (required: it turns the rest on)
//   sshpod/kubectl-server: in-cluster|URL    where kubectl in the pod reaches the API server
//                                             (default in-cluster: the `kubernetes` Service, from
//                                             the container's KUBERNETES_SERVICE_HOST/PORT)
//   sshpod/kubectl-token-seconds: N          the token's lifetime (600..86400, default 3600); sshpod
//                                             renews it while it holds the pod
//
// Why a ServiceAccount token and not the person's credentials or an impersonating proxy: the
// person's own credentials (a client certificate, a cloud CLI session) are long-lived and must
// never leave their machine; an impersonating proxy would need a process that outlives every
// connection and holds the right to impersonate. A TokenRequest (serviceaccounts/NAME/token)
// bound to the pod object is the API server's own tool for exactly this: sshpod asks for it with
// the person's credentials — so RBAC decides whether they may (`create serviceaccounts/token` on
// that name), and sshpod never escalates — and the API server rejects the token once the pod is
// deleted (or its uid changes), and at its expiry in any case.
//
// What the pod gets (withWorkstation): spec.serviceAccountName = that account (kube-apiserver binds
// a pod-bound token only to a pod running as its account) with automountServiceAccountToken false
// (the only credential in the pod is the one sshpod asked for, not one the kubelet mounts for
// whoever can create pods); an in-memory emptyDir for the kubeconfig (never on the node's disk);
// KUBECONFIG, KUBE_NAMESPACE and KUBE_USER in the environment of the container sshpod
// connects to (ssh sessions get it through the sshd's SetEnv, web terminals through exec).
import { SshpodError } from '../errors.ts';
import type { PodTemplate, TemplateContainer } from './template.ts';

export const WORKSTATION_ANNOTATIONS = {
  serviceAccount: 'sshpod/kubectl-service-account',
  server: 'sshpod/kubectl-server',
  tokenSeconds: 'sshpod/kubectl-token-seconds',
} as const;

/** Where the kubeconfig lives in the container: the mount of an in-memory emptyDir. */
export const KUBE_DIR = '/run/sshpod-kube';
export const KUBECONFIG_PATH = `${KUBE_DIR}/config`;
const VOLUME = 'sshpod-kube';
/** In the kubeconfig sent to the pod, replaced there by the in-cluster address (KUBERNETES_SERVICE_*). */
export const IN_CLUSTER_SERVER = '@SSHPOD_IN_CLUSTER_SERVER@';

/** kube-apiserver refuses less than 10 minutes; more than a day would defeat the point. */
const MIN_TOKEN_SECONDS = 600;
const MAX_TOKEN_SECONDS = 86_400;
export const DEFAULT_TOKEN_SECONDS = 3600;

export interface WorkstationOptions {
  serviceAccount: string;
  /** 'in-cluster', or an https URL. */
  server: string;
  tokenSeconds: number;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The template's workstation options, or undefined when it is not one. */
export function workstationOptions(template: PodTemplate): WorkstationOptions | undefined {
  const annotations = template.annotations;
  const serviceAccount = annotations[WORKSTATION_ANNOTATIONS.serviceAccount];
  const invalid = (what: string, value: string, expected: string): SshpodError =>
    new SshpodError('config', `template "${template.name}" (${template.source}): annotation ${what} is "${value.slice(0, 60)}"`, { hint: `use ${expected}` });
  if (serviceAccount === undefined) {
    for (const other of [WORKSTATION_ANNOTATIONS.server, WORKSTATION_ANNOTATIONS.tokenSeconds]) {
      if (annotations[other] !== undefined) throw invalid(other, annotations[other] ?? '', `it together with ${WORKSTATION_ANNOTATIONS.serviceAccount}: NAME (the ServiceAccount that stands for you)`);
    }
    return undefined;
  }
  if (!DNS_SUBDOMAIN.test(serviceAccount) || serviceAccount.length > 253) throw invalid(WORKSTATION_ANNOTATIONS.serviceAccount, serviceAccount, 'the name of a ServiceAccount in the namespace');
  const server = annotations[WORKSTATION_ANNOTATIONS.server] ?? 'in-cluster';
  if (server !== 'in-cluster' && !validServerUrl(server)) throw invalid(WORKSTATION_ANNOTATIONS.server, server, '"in-cluster" or an https:// URL of the API server');
  const seconds = annotations[WORKSTATION_ANNOTATIONS.tokenSeconds];
  let tokenSeconds = DEFAULT_TOKEN_SECONDS;
  if (seconds !== undefined) {
    if (!/^\d{1,6}$/.test(seconds) || Number(seconds) < MIN_TOKEN_SECONDS || Number(seconds) > MAX_TOKEN_SECONDS) {
      throw invalid(WORKSTATION_ANNOTATIONS.tokenSeconds, seconds, `a number of seconds from ${MIN_TOKEN_SECONDS} to ${MAX_TOKEN_SECONDS}`);
    }
    tokenSeconds = Number(seconds);
  }
  const declared = template.spec['serviceAccountName'];
  if (declared !== undefined && declared !== serviceAccount) {
    throw new SshpodError('config', `template "${template.name}" (${template.source}) runs as ServiceAccount "${String(declared).slice(0, 60)}" but its ${WORKSTATION_ANNOTATIONS.serviceAccount} is "${serviceAccount}"`, {
      hint: 'a pod-bound token is only for the ServiceAccount the pod runs as: drop spec.serviceAccountName or make them the same',
    });
  }
  return { serviceAccount, server, tokenSeconds };
}

function validServerUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && url.username === '' && url.password === '' && url.search === '' && url.hash === '' && !/[\s"\\]/.test(text);
  } catch {
    return false;
  }
}

export interface WorkstationIdentity {
  namespace: string;
  /** The person, as the pod's environment names them (the Kubernetes user where known). */
  user: string;
}

/** The pod spec with what a workstation needs (see the top of this file), for `container`. */
export function withWorkstation(spec: Record<string, unknown>, container: string, options: WorkstationOptions, identity: WorkstationIdentity): Record<string, unknown> {
  const out = { ...spec };
  out['serviceAccountName'] = options.serviceAccount;
  out['automountServiceAccountToken'] = false;
  const volumes = Array.isArray(spec['volumes']) ? (spec['volumes'] as Array<{ name?: unknown }>) : [];
  if (volumes.some((volume) => volume.name === VOLUME)) {
    throw new SshpodError('config', `the template already has a volume "${VOLUME}", the name sshpod gives the kubeconfig's volume`, { hint: 'rename that volume' });
  }
  out['volumes'] = [...volumes, { name: VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }];
  const containers = spec['containers'] as TemplateContainer[];
  out['containers'] = containers.map((c) => {
    if (c.name !== container) return c;
    const env = Array.isArray(c['env']) ? (c['env'] as Array<{ name?: unknown }>) : [];
    const ours = ['KUBECONFIG', 'KUBE_NAMESPACE', 'KUBE_USER'];
    const mounts = Array.isArray(c['volumeMounts']) ? (c['volumeMounts'] as unknown[]) : [];
    return {
      ...c,
      env: [
        ...env.filter((e) => !ours.includes(String(e.name))),
        { name: 'KUBECONFIG', value: KUBECONFIG_PATH },
        { name: 'KUBE_NAMESPACE', value: identity.namespace },
        { name: 'KUBE_USER', value: identity.user },
      ],
      volumeMounts: [...mounts, { name: VOLUME, mountPath: KUBE_DIR }],
    };
  });
  return out;
}

export interface KubeconfigRequest {
  /** An https URL, or IN_CLUSTER_SERVER (the pod fills in its own). */
  server: string;
  /** PEM of the CA that signs the API server's certificate. */
  caPem: string;
  token: string;
  namespace: string;
  /** Names the kubeconfig's user and context. */
  user: string;
}

/**
 * The kubeconfig, as one line of JSON (kubectl reads JSON kubeconfigs; one line is what the
 * pod-side script reads without needing the end of stdin, which exec v4 cannot send).
 */
export function kubeconfigText(request: KubeconfigRequest): string {
  const name = request.user.replace(/[^A-Za-z0-9@._:-]+/g, '_').slice(0, 100) || 'sshpod';
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sshpod', cluster: { server: request.server, 'certificate-authority-data': Buffer.from(request.caPem).toString('base64') } }],
    users: [{ name, user: { token: request.token } }],
    contexts: [{ name, context: { cluster: 'sshpod', user: name, namespace: request.namespace } }],
    'current-context': name,
  });
}

/**
 * Run as `sh -c SCRIPT sshpod-kubeconfig` with the kubeconfig line on stdin: writes it to
 * KUBECONFIG_PATH, 0600 and owned by the container's user, through a new file renamed into place
 * (never through a file or link someone else put there). The directory is the pod's own
 * in-memory emptyDir, made private where this user can (its owner, or root). Only sh builtins,
 * plus mv.
 */
export const WRITE_KUBECONFIG_SCRIPT = [
  'set -eu',
  'umask 077',
  'IFS= read -r line',
  '[ -n "$line" ] || exit 3',
  'host=${KUBERNETES_SERVICE_HOST:-kubernetes.default.svc} port=${KUBERNETES_SERVICE_PORT:-443}',
  // Whatever the environment says becomes part of a JSON string: nothing but an address.
  `case "$host$port" in *[!0-9A-Za-z.:-]*) echo "sshpod: KUBERNETES_SERVICE_HOST/PORT are not an address" >&2; exit 4;; esac`,
  'case "$host" in *:*) host="[$host]";; esac',
  `case "$line" in *${IN_CLUSTER_SERVER}*) line="\${line%%${IN_CLUSTER_SERVER}*}https://$host:$port\${line#*${IN_CLUSTER_SERVER}}";; esac`,
  `cd ${KUBE_DIR}`,
  'chmod 700 . 2>/dev/null || true',
  'tmp=.config.$$',
  'rm -f "$tmp"',
  'set -C',
  `printf '%s\\n' "$line" >"$tmp"`,
  'mv -f "$tmp" config',
  'echo written',
].join('\n');
