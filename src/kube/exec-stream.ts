// A byte stream through a command's stdin and stdout, as a Node Duplex over the exec WebSocket
// (see exec.ts for the channels): what the exec transport carries SSH on when port-forward is
// refused — `sshd -i` reads the client's bytes on stdin and answers on stdout. stderr is kept
// apart (the first 64 KiB, for messages), never mixed into the stream.
//
// Backpressure and the first-byte bound come from channel-duplex.ts, as for port-forward. The end of our writing side is passed on where
// the protocol can say it (v5: the [255, 0] close signal, after which stdout may still flow); v4
// cannot half-close stdin, so ending it ends the whole exec. SSH needs neither: its own messages
// end the connection before either side closes.
import type WebSocket from 'ws';
import { ChannelDuplex } from './channel-duplex.ts';
import type { KubeApi } from './api.ts';
import type { Status } from './types.ts';
import { EXEC_PROTOCOLS, exitCodeOf } from './exec.ts';
import { parseStatus } from './api-error.ts';
import { podPath } from './paths.ts';
import { SshpodError } from '../errors.ts';
import { seconds, TIMEOUT_HINT } from '../timeout.ts';
import { log } from '../log.ts';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;
const STDERR_LIMIT = 64 * 1024;

export interface ExecStreamRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
}

export class ExecStream extends ChannelDuplex {
  private stderrText = '';
  private status: Status | undefined;
  private closing = false;

  constructor(
    socket: WebSocket,
    private readonly target: ExecStreamRequest,
  ) {
    super(socket);
    socket.on('message', (data: Buffer, isBinary: boolean) => this.receive(data, isBinary));
    socket.on('close', (code: number) => this.onSocketClosed(code));
    socket.on('error', (error: Error) => this.destroy(this.broken(error.message)));
  }

  /** The negotiated exec protocol (v5.channel.k8s.io or v4.channel.k8s.io). */
  get protocol(): string {
    return this.socket.protocol;
  }

  /** What the command wrote on stderr so far (bounded). */
  get stderr(): string {
    return this.stderrText;
  }

  /** The command's exit code once the exec ended (undefined before, or when it never ran). */
  get exitCode(): number | undefined {
    return exitCodeOf(this.status);
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (!isBinary || data.length === 0) return;
    const payload = data.subarray(1);
    switch (data[0]) {
      case STDOUT:
        this.pushFromPod(payload, 'exec transport');
        break;
      case STDERR:
        if (this.stderrText.length < STDERR_LIMIT) this.stderrText += payload.toString('utf8');
        break;
      case STATUS:
        if (payload.length > 0) this.status = parseStatus(payload.toString('utf8')) ?? { status: 'Failure', message: payload.toString('utf8') };
        break;
    }
  }

  /** Fails the stream unless the command writes something within `ms` (sshd speaks first). */
  expectFirstByte(ms: number): void {
    this.failWithoutFirstByte(ms, () => new SshpodError('timeout', `sshd in pod "${this.target.pod}" did not answer through the exec transport within ${seconds(ms)}`, { hint: TIMEOUT_HINT }));
  }

  private broken(reason: string): SshpodError {
    return new SshpodError('stream', `the exec stream to container "${this.target.container}" of pod "${this.target.pod}" broke: ${reason}`, {
      hint: 'run again; if it keeps failing, run with --log-level debug',
    });
  }

  private onSocketClosed(code: number): void {
    clearTimeout(this.firstByteTimer);
    if (code === 1000 || code === 1005 || this.closing) {
      // The command ended (sshd closed the connection, or could not start: its stderr says why).
      if (this.status?.status === 'Failure' || this.stderrText) log.debug(`exec transport ended: ${this.status?.message ?? ''} ${this.stderrText.slice(0, 500)}`);
      this.push(null);
    } else {
      this.destroy(this.broken(`the API server closed the stream abnormally (WebSocket code ${code})`));
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sendOn(STDIN, chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.socket.protocol === 'v5.channel.k8s.io' && this.socket.readyState === this.socket.OPEN) {
      this.socket.send(Buffer.from([CLOSE, STDIN]), () => callback());
      return;
    }
    this.closing = true;
    this.socket.close(1000);
    callback();
  }
}

export async function openExecStream(connection: KubeApi, request: ExecStreamRequest): Promise<ExecStream> {
  const query = new URLSearchParams();
  for (const part of request.command) query.append('command', part);
  query.set('container', request.container);
  query.set('stdin', 'true');
  query.set('stdout', 'true');
  query.set('stderr', 'true');
  query.set('tty', 'false');
  const socket = await connection.openWebSocket(podPath(request.namespace, request.pod, 'exec'), query, EXEC_PROTOCOLS, {
    verb: 'create',
    resource: 'pods/exec',
    namespace: request.namespace,
    name: request.pod,
  });
  return new ExecStream(socket, request);
}
