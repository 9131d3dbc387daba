// Where a failed `sshpod proxy` can tell the person why. OpenSSH gives its ProxyCommand the
// terminal's (or the script's) stderr — except when ControlPersist is set and ssh is not verbose:
// then stderr is /dev/null (sshconnect.c), and the only way left to the person is through ssh
// itself, by answering on stdout as an SSH server would. That is possible only while stdout is
// still sshpod's: once the relay has started, the stream belongs to the pod's sshd.
import { fstatSync, statSync } from 'node:fs';

export interface Situation {
  /** stderr is /dev/null (or closed): nothing written there reaches anyone. */
  stderrDiscarded: boolean;
  /** stdout is a pipe or socket, as ssh gives its ProxyCommand (not a terminal or a file). */
  stdoutToSsh: boolean;
  /** The relay has taken stdin and stdout (bytes may have gone both ways). */
  relayStarted: boolean;
}

/** `stderr`: print the lines; `ssh`: answer ssh so that it prints them; `nowhere`: only the record. */
export type Delivery = 'stderr' | 'ssh' | 'nowhere';

export function deliveryFor(situation: Situation): Delivery {
  if (!situation.stderrDiscarded) return 'stderr';
  if (situation.stdoutToSsh && !situation.relayStarted) return 'ssh';
  return 'nowhere';
}

function isDevNull(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isCharacterDevice() && stat.rdev === statSync('/dev/null').rdev;
  } catch {
    return true; // closed: as good as /dev/null
  }
}

function isPipeOrSocket(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

export function currentSituation(relayStarted: boolean, platform = process.platform): Situation {
  // Windows' OpenSSH has no ControlPersist: its ProxyCommand always writes to ssh's stderr.
  if (platform === 'win32') return { stderrDiscarded: false, stdoutToSsh: false, relayStarted };
  return { stderrDiscarded: isDevNull(2), stdoutToSsh: isPipeOrSocket(1), relayStarted };
}
