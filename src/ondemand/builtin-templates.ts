// The template every sshpod has without any file: `template--debug`, a throw-away pod with a small
// image that has a shell and the usual tools (busybox), for looking around a namespace from inside
// it. SSHPOD_DEBUG_IMAGE names another image (ssh passes it to the ProxyCommand); a file
// ~/.config/sshpod/templates/debug.yaml replaces the whole template.

export const DEFAULT_DEBUG_IMAGE = 'busybox';

export const BUILTIN_TEMPLATE_NAMES = ['debug'] as const;

export function debugImage(environment: NodeJS.ProcessEnv = process.env): string {
  const image = environment['SSHPOD_DEBUG_IMAGE']?.trim();
  return image ? image : DEFAULT_DEBUG_IMAGE;
}

/** The built-in template's document (as a template file would hold it), or undefined. */
export function builtinTemplate(name: string, environment: NodeJS.ProcessEnv = process.env): unknown {
  if (name !== 'debug') return undefined;
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
