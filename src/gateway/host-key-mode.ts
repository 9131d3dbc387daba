// Whether a host key file's mode lets others read it, as OpenSSH judges a private key
// (sshkey_perm_ok), one step stricter: a key the gateway's user owns must be readable by that user
// alone; a key owned by another user — root, as a Kubernetes Secret volume's files are, shared with
// the pod's fsGroup (mode 0440) — must at least not be readable by everyone.
export function hostKeyModeProblem(mode: number, ownedBySelf: boolean): boolean {
  return (mode & (ownedBySelf ? 0o077 : 0o007)) !== 0;
}
