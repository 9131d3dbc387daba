// The templates every sshpod has without any file:
//  - `template--debug`: a throw-away pod with a small image that has a shell and the usual tools
//    (busybox), for looking around a namespace from inside it. SSHPOD_DEBUG_IMAGE names another image.
//  - `template--kubectl`: a kubectl workstation (workstation.ts): a pod with kubectl whose
//    kubeconfig acts as the ServiceAccount that stands for you (SSHPOD_KUBECTL_SERVICE_ACCOUNT,
//    default sshpod-kubectl), with a token bound to the pod. SSHPOD_KUBECTL_IMAGE names another
//    image (it needs sh and kubectl).
// ssh passes these variables to the ProxyCommand; a file ~/.config/sshpod/templates/NAME.yaml
// replaces the whole template.
import { WORKSTATION_ANNOTATIONS } from './workstation.ts';

export const DEFAULT_DEBUG_IMAGE = 'busybox';
/** An image with sh, bash and kubectl (and helm, jq, …); any such image does. */
export const DEFAULT_KUBECTL_IMAGE = 'docker.io/alpine/k8s:1.32.3';
export const DEFAULT_KUBECTL_SERVICE_ACCOUNT = 'sshpod-kubectl';

export const BUILTIN_TEMPLATE_NAMES = ['debug', 'kubectl'] as const;

function fromEnvironment(environment: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = environment[name]?.trim();
  return value ? value : fallback;
}

export function debugImage(environment: NodeJS.ProcessEnv = process.env): string {
  return fromEnvironment(environment, 'SSHPOD_DEBUG_IMAGE', DEFAULT_DEBUG_IMAGE);
}

/** The built-in template's document (as a template file would hold it), or undefined. */
export function builtinTemplate(name: string, environment: NodeJS.ProcessEnv = process.env): unknown {
  if (name === 'debug') {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {},
      spec: {
        containers: [{ name: 'debug', image: debugImage(environment) }],
        // sshpod's safeguard ends at SIGTERM at once; a busy image gets a short while.
        terminationGracePeriodSeconds: 5,
      },
    };
  }
  if (name === 'kubectl') {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { annotations: { [WORKSTATION_ANNOTATIONS.serviceAccount]: fromEnvironment(environment, 'SSHPOD_KUBECTL_SERVICE_ACCOUNT', DEFAULT_KUBECTL_SERVICE_ACCOUNT) } },
      spec: {
        containers: [{ name: 'kubectl', image: fromEnvironment(environment, 'SSHPOD_KUBECTL_IMAGE', DEFAULT_KUBECTL_IMAGE) }],
        terminationGracePeriodSeconds: 5,
      },
    };
  }
  return undefined;
}
