// The one exec primitive: a command in a container over the WebSocket channel protocol
// (k8s.io/apimachinery wsstream): every binary message starts with its channel byte — 0 stdin,
// 1 stdout, 2 stderr, 3 the final metav1.Status. v5.channel.k8s.io adds a close signal
// ([255, channel]) so stdin can end without closing the socket; with v4 it cannot, which the
// remote script allows for by reading only announced lengths.
import type WebSocket from 'ws';
import type { KubeApi } from './api.ts';
import type { Status } from './types.ts';
import { parseStatus } from './api-error.ts';
import { podPath } from './paths.ts';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const RESIZE = 4;
const CLOSE = 255;
const STDERR_LIMIT = 64 * 1024;

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdin: boolean;
  /** A terminal (the web terminal): stderr merges into stdout, and resize() sets its size. */
  tty?: boolean;
}

export interface ExecResult {
  /** 0 on Success, the ExitCode cause of NonZeroExitCode, undefined when it did not run. */
  exitCode: number | undefined;
  status: Status | undefined;
  /** The first 64 KiB of stderr. */
  stderr: string;
}

export function exitCodeOf(status: Status | undefined): number | undefined {
  if (status?.status === 'Success') return 0;
  if (status?.reason !== 'NonZeroExitCode') return undefined;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = Number(cause?.message);
  return Number.isInteger(code) ? code : undefined;
}

export class ExecSession {
  readonly result: Promise<ExecResult>;
  // Until the caller listens, stdout is kept (the script's answer may be quick).
  private readonly early: Buffer[] = [];
  private stdoutListener: (chunk: Buffer) => void = (chunk) => this.early.push(chunk);
  private stderrText = '';
  private status: Status | undefined;

  constructor(private readonly socket: WebSocket) {
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary || data.length === 0) return;
      const payload = data.subarray(1);
      switch (data[0]) {
        case STDOUT:
          this.stdoutListener(payload);
          break;
        case STDERR:
          if (this.stderrText.length < STDERR_LIMIT) this.stderrText += payload.toString('utf8');
          break;
        case STATUS:
          if (payload.length > 0) this.status = statusOf(payload);
          break;
      }
    });
    this.result = new Promise((resolve) => {
      const finish = (): void => resolve({ exitCode: exitCodeOf(this.status), status: this.status, stderr: this.stderrText });
      socket.once('close', finish);
      socket.once('error', finish);
    });
    socket.resume();
  }

  get protocol(): string {
    return this.socket.protocol;
  }

  onStdout(listener: (chunk: Buffer) => void): void {
    this.stdoutListener = listener;
    for (const chunk of this.early.splice(0)) listener(chunk);
  }

  /** Sends stdin bytes; resolves once they are handed to the socket. */
  write(data: Buffer): Promise<void> {
    const frame = Buffer.allocUnsafe(data.length + 1);
    frame[0] = STDIN;
    data.copy(frame, 1);
    return new Promise((resolve, reject) => this.socket.send(frame, (error) => (error ? reject(error) : resolve())));
  }

  /** Ends stdin where the protocol can say so (v5); with v4 the command must not wait for EOF. */
  closeStdin(): void {
    if (this.socket.protocol === 'v5.channel.k8s.io' && this.socket.readyState === this.socket.OPEN) {
      this.socket.send(Buffer.from([CLOSE, STDIN]));
    }
  }

  /** A terminal's new size (channel 4, JSON as client-go sends it). */
  resize(columns: number, rows: number): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(Buffer.concat([Buffer.from([RESIZE]), Buffer.from(JSON.stringify({ Width: columns, Height: rows }))]));
  }

  /** Stops reading stdout (flow control: the reader of a terminal is slower than the pod). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Whether the socket to the API server is still open. */
  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  close(): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(1000);
  }
}

/** The status channel's message; a server that sends plain text there has failed with that text. */
function statusOf(payload: Buffer): Status {
  const text = payload.toString('utf8');
  return parseStatus(text) ?? { status: 'Failure', message: text };
}

export async function startExec(connection: KubeApi, request: ExecRequest): Promise<ExecSession> {
  const query = new URLSearchParams();
  for (const part of request.command) query.append('command', part);
  query.set('container', request.container);
  query.set('stdin', String(request.stdin));
  query.set('stdout', 'true');
  // A terminal has one output stream; the API server refuses stderr beside a tty.
  query.set('stderr', String(!request.tty));
  query.set('tty', String(request.tty === true));
  const socket = await connection.openWebSocket(
    podPath(request.namespace, request.pod, 'exec'),
    query,
    EXEC_PROTOCOLS,
    { verb: 'create', resource: 'pods/exec', namespace: request.namespace, name: request.pod },
  );
  return new ExecSession(socket);
}
