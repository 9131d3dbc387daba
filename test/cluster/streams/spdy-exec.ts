// exec over SPDY/3.1 (kubelet's createHTTPStreamStreams): what clients use when the
// WebSocket upgrade is not available (kubectl with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false,
// client-go before 1.30). The client opens one stream per channel, named by the streamType
// header (error, stdin, stdout, stderr, resize); the command starts once all have arrived.
import type { Duplex } from 'node:stream';
import type { SpdyStream } from 'spdy-transport';
import type { ExecProcess, ExecResult } from '../runtime/types.ts';
import type { ExecRequest } from './exec.ts';
import { errorChannelText, execStatus, resizeParser, startFailureText } from './exec.ts';
import { spdyServer } from './spdy.ts';

/** Server preference does not matter: kubelet takes the client's first supported protocol. */
export const spdyExecProtocols = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

export function negotiateSpdyExec(offered: string[]): string | undefined {
  if (offered.length === 0) return 'channel.k8s.io';
  return offered.find((p) => spdyExecProtocols.includes(p));
}

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

function pipeOut(source: NodeJS.ReadableStream, stream: SpdyStream): Promise<void> {
  return new Promise((resolve) => {
    source.pipe(stream, { end: false });
    source.once('end', () => resolve());
    source.once('error', () => resolve());
  });
}

/** Serves one exec session on an upgraded socket; `start` runs the command once the streams exist. */
export function serveSpdyExec(socket: Duplex, protocol: string, req: ExecRequest, start: () => ExecProcess, log: (message: string) => void): void {
  const expected = 1 + (req.stdin ? 1 : 0) + (req.stdout ? 1 : 0) + (req.stderr ? 1 : 0) + (req.tty && protocol !== 'v2.channel.k8s.io' && protocol !== 'channel.k8s.io' ? 1 : 0);
  const streams = new Map<StreamType, SpdyStream>();
  let started = false;
  const conn = spdyServer(
    socket,
    (stream) => {
      const type = stream.headers.streamtype as StreamType | undefined;
      if (!type || !['error', 'stdin', 'stdout', 'stderr', 'resize'].includes(type) || streams.has(type)) {
        stream.abort('PROTOCOL_ERROR');
        return;
      }
      stream.respond(200, {});
      streams.set(type, stream);
      if (!started && streams.size >= expected) {
        started = true;
        void run().catch((error: unknown) => {
          log(`spdy exec: ${error instanceof Error ? error.message : String(error)}`);
          socket.destroy();
        });
      }
    },
    (message) => log(`spdy exec: ${message}`),
  );

  const run = async (): Promise<void> => {
    const proc = start();
    const stdin = streams.get('stdin');
    if (stdin && proc.stdin) stdin.pipe(proc.stdin);
    else proc.stdin?.end();
    proc.stdin?.on('error', () => {});
    const resize = streams.get('resize');
    if (resize) resize.on('data', resizeParser((columns, rows) => proc.resize(columns, rows)));
    const stdout = streams.get('stdout');
    const stderr = streams.get('stderr');
    const outputs: Promise<void>[] = [];
    if (stdout) outputs.push(pipeOut(proc.stdout, stdout));
    else proc.stdout.resume();
    if (proc.stderr) {
      if (stderr) outputs.push(pipeOut(proc.stderr, stderr));
      else proc.stderr.resume();
    }
    socket.once('close', () => {
      if (req.tty) proc.kill();
    });
    const result: ExecResult = await proc.done;
    await Promise.all(outputs);
    if (!result.started && result.message) (stderr ?? stdout)?.write(startFailureText(result.message));
    stdout?.end();
    stderr?.end();
    const error = streams.get('error');
    if (error) {
      const text = errorChannelText(protocol, execStatus(req.command, result));
      if (text !== undefined) error.write(text);
      error.end();
    }
    // kubelet closes the connection once the streams are done; the client has its status.
    setTimeout(() => conn.end(), 100).unref();
  };
}
