// Telling ssh why, when its ProxyCommand's stderr goes nowhere: sshpod answers on stdin/stdout as a
// minimal SSH server. It presents sshpod's local host key — the one known_hosts pins for *.sshpod,
// which never leaves this machine — so ssh's host key check passes unchanged; it sends the lines as
// the user-authentication banner, which OpenSSH prints at its default log level; and when ssh then
// tries to authenticate, it disconnects with a short description, which OpenSSH prints down to
// LogLevel ERROR. No request is ever accepted: nobody can log in to this server.
// ssh2 is loaded here only, on the failure path; the connect path never pays for it.
import { Duplex, type Readable, type Writable } from 'node:stream';
import type { Socket } from 'node:net';
import type { Connection } from 'ssh2';
import { SSH_DISCONNECT_BY_APPLICATION } from './disconnect-packet.ts';

export interface ServerAnswer {
  /** The private key file's text (OpenSSH format). */
  hostKey: string;
  /** Printed by ssh as it is, before authentication. */
  banner: string;
  /** Printed by ssh as "Received disconnect from …: <description>". */
  description: string;
}

/** What of ssh2's Protocol a DISCONNECT with a description needs (ssh2 sends its own without one). */
interface ProtocolInternals {
  _packetRW?: { write?: { allocStartKEX: number; alloc(length: number, force: boolean): Buffer; finalize(packet: Buffer, force: boolean): Buffer } };
  _cipher?: { encrypt(packet: Buffer): void };
}

/**
 * SSH_MSG_DISCONNECT with a description, built the way ssh2's own Protocol.disconnect() builds its
 * empty one. ssh2 has no public call for it; should its internals change, the plain disconnect
 * goes out instead (the banner has already said everything at the default log level).
 */
function disconnectWithDescription(client: Connection, description: string): void {
  const writer = (client as unknown as { _protocol?: ProtocolInternals })._protocol;
  const write = writer?._packetRW?.write;
  if (!writer?._cipher || !write || typeof write.alloc !== 'function') {
    client.end();
    return;
  }
  const text = Buffer.from(description, 'utf8');
  let offset = write.allocStartKEX;
  const packet = write.alloc(1 + 4 + 4 + text.length + 4, true);
  packet[offset] = 1; // SSH_MSG_DISCONNECT
  packet.writeUInt32BE(SSH_DISCONNECT_BY_APPLICATION, (offset += 1));
  packet.writeUInt32BE(text.length, (offset += 4));
  text.copy(packet, (offset += 4));
  packet.writeUInt32BE(0, offset + text.length); // language tag
  writer._cipher.encrypt(write.finalize(packet, true));
}

/** Serves one ssh client on `input`/`output` until it goes away (or `limitMs` passes). */
export async function answerAsServer(answer: ServerAnswer, input: Readable, output: Writable, limitMs = 15_000): Promise<void> {
  const { Server } = await import('ssh2');
  await new Promise<void>((resolve) => {
    const socket = Duplex.from({ readable: input, writable: output });
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(finish, limitMs);
    socket.once('error', finish);
    socket.once('close', finish);
    const server = new Server({ hostKeys: [answer.hostKey], banner: answer.banner, ident: 'sshpod' }, (client) => {
      client.on('error', () => undefined); // ssh leaving early is the normal end here
      client.once('close', finish);
      client.on('authentication', () => {
        disconnectWithDescription(client, answer.description);
        socket.end();
      });
    });
    server.injectSocket(socket as unknown as Socket);
  });
}
