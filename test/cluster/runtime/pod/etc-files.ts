// The files kubelet writes for every pod and bind-mounts into each of its containers.

export function hostsFile(hostname: string, podIP: string): string {
  return [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    `${podIP}\t${hostname}`,
    '',
  ].join('\n');
}

/** Cluster DNS as kubelet configures it (nothing answers at that address in the test cluster). */
export function resolvConf(namespace: string): string {
  return `search ${namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`;
}

export function hostnameFile(hostname: string): string {
  return `${hostname}\n`;
}
