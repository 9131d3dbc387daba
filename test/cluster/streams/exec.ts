// exec over WebSocket: the session kube-apiserver (v5) and the kubelet (v4 and older) serve at
// /api/v1/namespaces/NS/pods/NAME/exec. Channels: 0 stdin, 1 stdout, 2 stderr, 3 status,
// 4 resize. The final status follows kubelet's remotecommand handler exactly: JSON
// metav1.Status for v4/v5, the bare error text for older protocols.
import type { ExecProcess, ExecResult } from '../runtime/types.ts';
import type { ChannelSocket } from './channels.ts';
import { badRequest } from '../api/status.ts';

export const execProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'];

export interface ExecRequest {
  command: string[];
  container: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function flag(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === 'true' || v === '1';
}

/** Query parameters of an exec request, validated as kube-apiserver does (400 on error). */
export function parseExecQuery(query: URLSearchParams): ExecRequest {
  const command = query.getAll('command');
  const tty = flag(query, 'tty');
  const req: ExecRequest = {
    command,
    container: query.get('container') ?? '',
    stdin: flag(query, 'stdin'),
    stdout: flag(query, 'stdout'),
    // A terminal merges stderr into stdout; kubelet drops a stderr request silently.
    stderr: flag(query, 'stderr') && !tty,
    tty,
  };
  if (command.length === 0) throw badRequest('you must specify at least one command for the container');
  if (!req.stdin && !req.stdout && !req.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return req;
}

/** Go's %v of a []string: `[sh -c exit 3]`. */
function goList(items: string[]): string {
  return `[${items.join(' ')}]`;
}

export interface ExecStatusBody {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason: string; message: string }[] };
}

/** The status kubelet writes on channel 3 when the command ends (containerd's exit error text). */
export function execStatus(command: string[], result: ExecResult): ExecStatusBody {
  if (result.exitCode === 0 && result.started) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command ${goList(command)}, exit code ${result.exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(result.exitCode) }] },
  };
}

/** What kubelet writes on the error channel at the end: the Status as JSON from v4 on, only a
 *  failure's message before (older clients read that text as the error); undefined for nothing. */
export function errorChannelText(protocol: string, status: ExecStatusBody): string | undefined {
  if (protocol.startsWith('v4.') || protocol.startsWith('v5.')) return JSON.stringify(status);
  return status.status === 'Failure' && status.message ? status.message : undefined;
}

/** The text a CRI runtime prints when the process could not be started at all. */
export function startFailureText(message: string): string {
  return `OCI runtime exec failed: exec failed: unable to start container process: ${message}: unknown\r\n`;
}

/** Pulls complete JSON objects out of the resize channel's byte stream. */
export function resizeParser(onSize: (columns: number, rows: number) => void): (data: Buffer) => void {
  let pending = '';
  return (data) => {
    pending += data.toString('utf8');
    for (;;) {
      const start = pending.indexOf('{');
      const end = pending.indexOf('}', start);
      if (start < 0 || end < 0) break;
      const text = pending.slice(start, end + 1);
      pending = pending.slice(end + 1);
      try {
        // Go's JSON decoding matches field names case-insensitively: client-node sends
        // {"width","height"}, client-go {"Width","Height"}.
        const raw = JSON.parse(text) as Record<string, unknown>;
        const size = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.toLowerCase(), v]));
        if (typeof size.width === 'number' && typeof size.height === 'number') onSize(size.width, size.height);
      } catch {
        // Malformed resize messages are ignored, as kubelet's decoder gives up on them.
      }
    }
  };
}

/** Runs one exec session to completion over an open channel socket. */
export async function serveExec(ch: ChannelSocket, req: ExecRequest, proc: ExecProcess): Promise<ExecResult> {
  const stdin = proc.stdin;
  if (stdin) {
    if (req.stdin) {
      ch.routeTo(0, stdin);
      ch.onClose(0, () => stdin.end());
    } else {
      stdin.end();
    }
    stdin.on('error', () => {});
  }
  if (req.tty) ch.onFrame(4, resizeParser((columns, rows) => proc.resize(columns, rows)));
  ch.onSocketClose(() => {
    // The client is gone: stdin reaches EOF as with a real runtime; a terminal also hangs up.
    if (stdin && !stdin.writableEnded) stdin.end();
    if (req.tty) proc.kill();
  });

  // Tell the client the session is established: an empty frame on the lowest writable channel.
  await ch.send(req.stdout ? 1 : req.stderr ? 2 : 3, Buffer.alloc(0));

  const pumps: Promise<void>[] = [];
  if (req.stdout) pumps.push(ch.pump(1, proc.stdout));
  else proc.stdout.resume();
  if (proc.stderr) {
    if (req.stderr) pumps.push(ch.pump(2, proc.stderr));
    else proc.stderr.resume();
  }
  const result = await proc.done;
  await Promise.all(pumps);

  if (!result.started && result.message) {
    const text = Buffer.from(startFailureText(result.message));
    if (req.stderr) await ch.send(2, text);
    else if (req.stdout) await ch.send(1, text);
  }
  const text = errorChannelText(ch.protocol, execStatus(req.command, result));
  if (text !== undefined) await ch.send(3, Buffer.from(text));
  ch.close();
  return result;
}
