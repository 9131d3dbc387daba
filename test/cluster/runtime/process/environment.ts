// A container process's environment, layered like containerd + runc do it: the image's ENV,
// then HOSTNAME, then the pod spec's env (which wins), then HOME when nobody set it, and for a
// terminal exec TERM=xterm when nobody set it.

export interface EnvironmentInput {
  image: Record<string, string>;
  hostname: string;
  spec: Record<string, string>;
  home: string;
  tty?: boolean;
}

export function processEnvironment(input: EnvironmentInput): [string, string][] {
  const env = new Map<string, string>(Object.entries(input.image));
  env.set('HOSTNAME', input.hostname);
  for (const [key, value] of Object.entries(input.spec)) env.set(key, value);
  if (!env.has('HOME')) env.set('HOME', input.home);
  if (input.tty && !env.has('TERM')) env.set('TERM', 'xterm');
  return [...env];
}
