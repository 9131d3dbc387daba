// The I/O of a kubectl workstation (workstation.ts says what and why): once its pod runs, a
// TokenRequest for the template's ServiceAccount bound to that pod, made with the person's own
// credentials; the cluster's CA from the namespace's kube-root-ca.crt ConfigMap (the CA that
// signs the in-cluster address); the kubeconfig written into the pod through one exec. Three
// round trips, then one TokenRequest and one exec per renewal (at four fifths of the token's
// life) while sshpod holds the pod.
import type { KubeApi } from '../kube/api.ts';
import type { Operation } from '../kube/api-error.ts';
import { startExec } from '../kube/exec.ts';
import { SshpodError, isSshpodError } from '../errors.ts';
import { log } from '../log.ts';
import { IN_CLUSTER_SERVER, WRITE_KUBECONFIG_SCRIPT, WORKSTATION_ANNOTATIONS, kubeconfigText, type WorkstationOptions } from './workstation.ts';

export interface WorkstationPod {
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
  template: string;
  /** The person, as the kubeconfig names them. */
  user: string;
}

interface TokenRequestReply {
  status?: { token?: string; expirationTimestamp?: string };
}

const README_HINT = 'see "kubectl workstation" in sshpod\'s README';

function tokenPath(namespace: string, serviceAccount: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`;
}

/** A token for the template's ServiceAccount, bound to the pod; the API server says until when. */
export async function requestPodToken(api: KubeApi, pod: WorkstationPod, options: WorkstationOptions): Promise<{ token: string; expires: Date }> {
  const operation: Operation = { verb: 'create', resource: 'serviceaccounts/token', namespace: pod.namespace, name: options.serviceAccount };
  const body = {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: options.tokenSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.pod, uid: pod.podUid } },
  };
  let reply: TokenRequestReply;
  try {
    reply = await api.request<TokenRequestReply>('POST', tokenPath(pod.namespace, options.serviceAccount), operation, { body });
  } catch (error) {
    throw tokenRefusal(error, pod, options);
  }
  const token = reply.status?.token;
  const expires = Date.parse(reply.status?.expirationTimestamp ?? '');
  if (!token || !/^[\x21-\x7e]+$/.test(token) || Number.isNaN(expires)) {
    throw new SshpodError('api', `the API server answered the TokenRequest for ServiceAccount "${options.serviceAccount}" without a token`, { hint: 'kubectl create token NAME shows what the cluster says' });
  }
  return { token, expires: new Date(expires) };
}

function tokenRefusal(error: unknown, pod: WorkstationPod, options: WorkstationOptions): unknown {
  if (!isSshpodError(error)) return error;
  const account = `ServiceAccount "${options.serviceAccount}" in namespace "${pod.namespace}"`;
  if (error.kind === 'forbidden') {
    return new SshpodError('forbidden', `template "${pod.template}" needs a token for ${account}, and you may not request one: ${error.message.replace(/^not allowed to [^:]*: /, '')}`, {
      hint: `the ServiceAccount stands for you: ask your cluster admin for create on serviceaccounts/token with resourceNames [${options.serviceAccount}] in namespace "${pod.namespace}" (${README_HINT})`,
      cause: error,
    });
  }
  if (error.kind === 'not-found') {
    return new SshpodError('config', `template "${pod.template}" acts as ${account}, which does not exist (${WORKSTATION_ANNOTATIONS.serviceAccount})`, {
      hint: `ask your cluster admin to create it and grant it your rights, or name another one in the template (${README_HINT})`,
      cause: error,
    });
  }
  return error;
}

/** The CA of the in-cluster address: every namespace's kube-root-ca.crt ConfigMap (Kubernetes 1.20+). */
export async function clusterCa(api: KubeApi, namespace: string): Promise<string> {
  const operation: Operation = { verb: 'get', resource: 'configmaps', namespace, name: 'kube-root-ca.crt' };
  let configMap: { data?: Record<string, string> };
  try {
    configMap = await api.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/kube-root-ca.crt`, operation);
  } catch (error) {
    if (!isSshpodError(error) || (error.kind !== 'forbidden' && error.kind !== 'not-found')) throw error;
    throw new SshpodError(error.kind, `the kubectl workstation needs the cluster's CA from ConfigMap kube-root-ca.crt in namespace "${namespace}": ${error.message}`, {
      hint: `ask your cluster admin for get on configmaps named kube-root-ca.crt in namespace "${namespace}" (${README_HINT})`,
      cause: error,
    });
  }
  const pem = configMap.data?.['ca.crt'];
  if (!pem || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new SshpodError('api', `ConfigMap kube-root-ca.crt in namespace "${namespace}" holds no CA certificate`, { hint: README_HINT });
  }
  return pem;
}

/** Writes the kubeconfig line into the pod (WRITE_KUBECONFIG_SCRIPT), as the container's user. */
export async function writeKubeconfig(api: KubeApi, pod: WorkstationPod, text: string): Promise<void> {
  const session = await startExec(api, { namespace: pod.namespace, pod: pod.pod, container: pod.container, command: ['sh', '-c', WRITE_KUBECONFIG_SCRIPT, 'sshpod-kubeconfig'], stdin: true });
  let out = '';
  session.onStdout((chunk) => {
    if (out.length < 1024) out += chunk.toString('utf8');
  });
  await session.write(Buffer.from(`${text}\n`));
  session.closeStdin();
  const result = await session.result;
  if (result.exitCode !== 0 || !out.includes('written')) {
    const why = (result.stderr.trim() || result.status?.message || `exit status ${result.exitCode ?? 'unknown'}`).slice(0, 300);
    throw new SshpodError('container', `could not write the kubeconfig into pod "${pod.pod}" (container "${pod.container}"): ${why}`, {
      hint: `the kubectl workstation needs sh and mv in the container and its emptyDir mount writable; ${README_HINT}`,
    });
  }
}

export interface Workstation {
  /** When the token in the pod runs out (renewed before that while the workstation is held). */
  readonly expires: Date;
  /** Stops renewing. Idempotent. */
  stop(): void;
}

/** Delivers the first kubeconfig (throws if it cannot), then renews it until stop(). */
export async function startWorkstation(api: KubeApi, pod: WorkstationPod, options: WorkstationOptions): Promise<Workstation> {
  const caPem = await clusterCa(api, pod.namespace);
  const deliver = async (): Promise<Date> => {
    const { token, expires } = await requestPodToken(api, pod, options);
    const serverText = options.server === 'in-cluster' ? IN_CLUSTER_SERVER : options.server;
    await writeKubeconfig(api, pod, kubeconfigText({ server: serverText, caPem, token, namespace: pod.namespace, user: pod.user }));
    return expires;
  };
  let expires = await deliver();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    if (stopped) return;
    const left = expires.getTime() - Date.now();
    // At four fifths of its life (the API server may shorten or lengthen what was asked for).
    const delay = Math.max(30_000, Math.floor(left * 0.8));
    timer = setTimeout(() => {
      deliver().then(
        (next) => {
          expires = next;
          log.debug(`kubectl workstation ${pod.pod}: token renewed until ${next.toISOString()}`);
          schedule();
        },
        (error: unknown) => {
          log.error(`kubectl workstation ${pod.pod}: could not renew its token: ${(error as Error).message}`);
          if (!stopped && expires.getTime() - Date.now() > 60_000) schedule();
        },
      );
    }, Math.min(delay, 2_147_483_647));
    timer.unref();
  };
  schedule();
  return {
    get expires() {
      return expires;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
