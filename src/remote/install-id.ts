// Each sshd sshpod installs announces an install id in its SSH banner (sshd_config's
// VersionAddendum: "SSH-2.0-OpenSSH_9.2p1 sshpod-…"). The id names the pod uid, the container and
// the bundle version, so the first line a port-forward delivers says whether it reached exactly
// the sshd sshpod expects — which lets a warm connect skip the exec (see proxy/known-sshd.ts).
// The id identifies, it does not authenticate: the pinned host key does that, as always.
import { createHash } from 'node:crypto';

export function installId(podUid: string, container: string, bundleVersion: string): string {
  return `sshpod-${createHash('sha256').update(`${podUid}\n${container}\n${bundleVersion}`).digest('hex').slice(0, 24)}`;
}
