// API paths of the core/v1 pod resources sshpod uses, with names escaped.

export function podsPath(namespace: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
}

/** One pod, or one of its subresources (`exec`, `portforward`). */
export function podPath(namespace: string, pod: string, subresource?: string): string {
  return `${podsPath(namespace)}/${encodeURIComponent(pod)}${subresource ? `/${subresource}` : ''}`;
}
