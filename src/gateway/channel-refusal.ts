// A refused channel that says why. ssh2's reject() sends SSH_MSG_CHANNEL_OPEN_FAILURE with an empty
// description; OpenSSH prints the description ("channel 0: open failed: connect failed: …"), which
// is how a person behind `ssh -J` learns what the gateway found. ssh2 has no public call for it: the
// description is put in for the one packet reject() sends; should ssh2's internals change, the plain
// refusal goes out instead.
import type { Connection } from 'ssh2';

interface ProtocolInternals {
  channelOpenFail?: (recipient: number, reason: number, description?: string) => void;
}

export function rejectWithDescription(client: Connection, reject: () => void, description: string): void {
  const protocol = (client as unknown as { _protocol?: ProtocolInternals })._protocol;
  const original = protocol?.channelOpenFail;
  if (!protocol || typeof original !== 'function') return reject();
  protocol.channelOpenFail = (recipient, reason) => original.call(protocol, recipient, reason, description);
  try {
    reject();
  } finally {
    delete protocol.channelOpenFail; // the prototype's method again
  }
}
