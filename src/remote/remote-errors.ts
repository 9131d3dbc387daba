// What the remote script or the exec reported, in words for the person at the ssh prompt.
import { SshpodError } from '../errors.ts';
import type { ExecResult } from '../kube/exec.ts';
import type { Reply } from './reply.ts';
import { LOGIN_NAME_RULE } from '../target/login-name.ts';
import { describeTarget, type TargetRef } from '../target/target-ref.ts';

export interface Where extends TargetRef {
  /** The hostname as ssh was given it, for example commands. */
  host: string;
  /** `container` is sshpod's ephemeral container giving this container's view (src/ephemeral). */
  viewOf?: string;
}

const place = describeTarget;

/** What to do about the container problems the script reports (its message says what is wrong). */
const CONTAINER_HINTS = new Map([
  ['no-writable-dir', 'sshd needs a writable place that allows running programs: mount an emptyDir volume, or allow exec on /tmp'],
  ['unsupported-arch', 'sshpod ships sshd for linux/amd64 and linux/arm64'],
  ['no-tools', 'the container needs a POSIX sh with basic tools (head or dd)'],
  ['lock-timeout', 'try again; if another sshpod is stuck, remove that lock directory'],
  ['sshd-failed', 'run again with --log-level debug'],
  ['ports-taken', 'a process in the pod holds the ports sshpod picks from (20000-31999); stop it, or connect again to try other ports'],
  ['disk-full', 'free some space in that directory (df -h in the container)'],
  ['view-needs-root', 'the pod or namespace makes containers run as non-root (runAsNonRoot, or a PodSecurity policy), which the ephemeral container cannot satisfy; target a container that has a shell'],
  ['view-no-target', 'the container runtime did not share the target\'s process namespace (targetContainerName needs containerd or CRI-O with that support); use kubectl debug and /proc/1/root instead'],
  ['view-no-shell', 'set SSHPOD_DEBUG_IMAGE to an image with a statically linked sh or busybox (the default, busybox:1.36, has one)'],
  ['view-no-access', 'its ephemeral container lacks the SYS_PTRACE capability this takes (sshpod asks for it; a namespace policy such as PodSecurity "baseline" refuses it, and an ephemeral container cannot be changed): ask your cluster admin, or target a container that has a shell'],
  ['view-shared-pid', 'target a container of the pod that has a shell: it sees the others\' files under /proc/<pid>/root'],
  ['view-failed', 'run again with --log-level debug'],
]);

export function scriptError(reply: Extract<Reply, { status: 'error' }>, where: Where): SshpodError {
  const users = reply.users;
  switch (reply.error) {
    case 'unknown-user':
      return new SshpodError('user', `${reply.message} (${place(where)})`, {
        hint: users.length > 0 ? `log in as one of: ${users.join(', ')} (e.g. ssh ${users[0]}@${where.host})` : 'this container has no user with a login shell',
      });
    case 'wrong-user':
      return new SshpodError('user', `${place(where)} ${reply.message.replace(/^this container /, '')}`, {
        hint: `ssh ${users[0] ?? 'USER'}@${where.host}`,
      });
    case 'view-user':
      return new SshpodError('user', `sessions in the view of ${place({ ...where, container: where.viewOf ?? where.container })} run as root: it has no shell, and sshpod's ephemeral container gives its view`, {
        hint: `ssh root@${where.host}`,
      });
    case 'bad-user':
      return new SshpodError('user', 'the ssh user name is not a valid user name', { hint: LOGIN_NAME_RULE });
    default: {
      const hint = CONTAINER_HINTS.get(reply.error);
      if (hint) return new SshpodError('container', `${place(where)}: ${reply.message}`, { hint });
      return new SshpodError('container', `preparing ${place(where)} failed (${reply.error}): ${reply.message}`, {
        hint: 'run again with --log-level debug',
      });
    }
  }
}

/** The container has no shell: sshpod can still reach its view through an ephemeral container
 *  (src/ephemeral), which is why this case has a class of its own. */
export class NoShellError extends SshpodError {}

/** The exec ended without the script's answer: no shell, or it failed before replying. */
export function execError(result: ExecResult, where: Where): SshpodError {
  const text = `${result.status?.message ?? ''}\n${result.stderr}`;
  const noShell =
    result.exitCode === 127 ||
    result.exitCode === 126 ||
    /executable file not found|no such file or directory|not found in \$PATH/i.test(text);
  if (noShell) {
    return new NoShellError('container', `${place(where)} has no shell (sh), so sshpod cannot start sshd in it`, {
      hint: `distroless and scratch images have none: target a container that has one (container--NAME), or attach a debug container: kubectl debug -it ${where.pod} -n ${where.namespace} --image=busybox --target=${where.container}`,
    });
  }
  // kubelet quotes the whole command (sshpod's script) in its message: name it instead.
  const status = result.status?.message?.replace(/\[sh -c [\s\S]*\]/, '[sshpod\'s script]');
  const detail = result.stderr.trim().split('\n').at(-1) || status || 'the exec ended without an answer';
  return new SshpodError('container', `preparing ${place(where)} failed: ${detail}`, { hint: 'run again with --log-level debug' });
}
