// A TCP connection to 127.0.0.1:<port> in a pod's network namespace, as kubelet's port-forward
// makes it: nsexec joins the sandbox's network namespace, connects, reports on its status fd,
// then relays its stdin/stdout to the socket with half-closes: ending our writable side sends
// FIN to the pod's server, the server's FIN ends our readable side.
import type { ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';
import type { Readable, Writable } from 'node:stream';
import type { Launcher } from '../helper/launch.ts';
import { launch } from '../helper/launch.ts';
import { errnoMessage, readStatus } from '../helper/status.ts';

export async function connectInPod(launcher: Launcher, sandboxPid: number, port: number): Promise<Duplex> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port ${port}`);
  const child = launch(launcher, { join: [`/proc/${sandboxPid}/ns/net`], statusFd: 3, connectPort: port }, ['pipe', 'pipe', 'ignore', 'pipe']);
  const status = await readStatus(child.stdio[3] as Readable);
  if (!status.connected) {
    child.kill('SIGKILL');
    throw new Error(status.failure ? errnoMessage(status.failure.errno) : 'the pod is gone');
  }
  return new ProcessDuplex(child);
}

/** The relay process's stdin and stdout as one Duplex. */
class ProcessDuplex extends Duplex {
  readonly #child: ChildProcess;
  readonly #in: Writable;
  readonly #out: Readable;

  constructor(child: ChildProcess) {
    super({ allowHalfOpen: true });
    this.#child = child;
    this.#in = child.stdin as Writable;
    this.#out = child.stdout as Readable;
    this.#in.on('error', (error) => this.destroy(error));
    this.#out.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) this.#out.pause();
    });
    this.#out.on('end', () => this.push(null));
    this.#out.on('error', (error) => this.destroy(error));
    // The relay is gone (the pod stopped, or both directions are done): nothing written now
    // could arrive, so once what it delivered has been read, the connection is closed.
    child.once('exit', () => {
      if (this.readableEnded) this.destroy();
      else this.once('end', () => this.destroy());
    });
  }

  override _read(): void {
    this.#out.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#in.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#in.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // After a clean end both ways the relay exits by itself once it has delivered the last
    // bytes; killing it then could lose them. Anything else is an abort.
    if (!(this.readableEnded && this.writableFinished)) this.#child.kill('SIGKILL');
    callback(error);
  }
}
