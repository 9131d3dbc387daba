// One terminal of the page: a browser WebSocket joined to a shell with a pty in a container,
// through the Kubernetes exec API (tty=true) — the same hostname grammar, resolution
// (src/resolve) and on-demand pods (src/ondemand) as ssh, and no sshd: a terminal needs nothing
// installed in the container, works with any user the image runs as, and RBAC's pods/exec is the
// permission, as for `kubectl exec -it`. (ssh, scp and port forwarding stay ssh's; the web
// terminal is a shell.)
//
// Flow control both ways: the pod's output stops being read while the browser has more than
// BACKLOG unsent, and the browser's input while the API server's socket has; neither side can
// make the server hold more than that per terminal.
import type WebSocket from 'ws';
import { parseHostname, canonicalHost, type TargetSpec } from '../target/hostname.ts';
import { resolveTarget } from '../resolve/resolve-target.ts';
import { startExec, type ExecSession } from '../kube/exec.ts';
import { SshpodError, isSshpodError } from '../errors.ts';
import { startOnDemandPod, type ReleaseSpec } from '../ondemand/on-demand-pod.ts';
import { podStartTimeoutMs } from '../ondemand/wait-for-pod.ts';
import { ProgressLine } from '../ondemand/progress-line.ts';
import type { Guard } from '../ondemand/guard.ts';
import { log } from '../log.ts';
import type { KubeAccess, WebUser } from './kube-access.ts';
import { TerminalPods, type TerminalPod } from './terminal-pods.ts';
import { parseClientControl, type ServerControl } from './messages.ts';
import { SHELL_COMMAND, exitMessage, isNoShell, noShellError } from './shell.ts';
import type { Audit } from './audit.ts';

/** Bytes queued towards one side before the other side stops being read. */
const BACKLOG = 1024 * 1024;
/** The shell's first output kept to tell "no shell" from a shell that ended. */
const FIRST_OUTPUT = 512;

export interface TerminalContext {
  user: WebUser;
  peer: string;
  kube: KubeAccess;
  pods: TerminalPods;
  audit: Audit;
  heartbeatMs: number;
  /** Bound of the on-demand pods one user may have at once. */
  podsPerUser: number;
  guard?: (context: string, spec: ReleaseSpec) => Guard | undefined;
  /** Ends the terminal when the server stops (resolves once its pod, if any, is released). */
  register(stop: (reason: string) => Promise<void>): () => void;
}

export interface TerminalRequest {
  hostname: string;
  cols: number;
  rows: number;
  /** The id of this terminal's on-demand pod, when the page reconnects to it. */
  reattach?: string;
}

function send(ws: WebSocket, message: ServerControl): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

function errorMessage(error: unknown): ServerControl {
  if (isSshpodError(error)) {
    // A refusal or a missing pod does not change by retrying at once; a dropped stream or a timeout may.
    const retry = !['usage', 'forbidden', 'not-found', 'config', 'container'].includes(error.kind);
    return { t: 'error', kind: error.kind, message: error.message, ...(error.hint ? { hint: error.hint } : {}), retry };
  }
  return { t: 'error', kind: 'unexpected', message: `unexpected failure: ${(error as Error).message}`, hint: 'run sshpod web with --log-level debug and report the output', retry: true };
}

export async function runTerminal(ws: WebSocket, request: TerminalRequest, ctx: TerminalContext): Promise<void> {
  const started = Date.now();
  let bytesIn = 0;
  let bytesOut = 0;
  let exec: ExecSession | undefined;
  let terminalPod: TerminalPod | undefined;
  let lastMessage = Date.now();
  let ended = false;
  const abort = new AbortController();
  const where: { context?: string; namespace?: string; pod?: string; container?: string } = {};
  let host = request.hostname;

  const finish = (reason: string): void => {
    if (ended) return;
    ended = true;
    ctx.audit({ action: 'terminal-end', user: ctx.user.name, peer: ctx.peer, hostname: host, ...where, reason, durationMs: Date.now() - started, bytesIn, bytesOut });
  };
  const unregister = ctx.register(async (reason) => {
    send(ws, { t: 'error', kind: 'stream', message: reason, retry: true });
    abort.abort(new SshpodError('stream', reason));
    exec?.close();
    ws.close(1001, 'server stopping');
    if (terminalPod) await ctx.pods.release(terminalPod.id, 'shutdown');
  });

  // The page's messages, from the first moment: a close while the pod starts must count.
  let closeAsked = false;
  let pendingSize = { cols: request.cols, rows: request.rows };
  let inFlight = 0;
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    lastMessage = Date.now();
    if (terminalPod) ctx.pods.beat(terminalPod.id);
    if (isBinary) {
      if (!exec) return; // keystrokes before the shell exists have nowhere to go
      bytesIn += data.length;
      // A paste faster than the API server takes it: stop reading the browser until it drained.
      inFlight += data.length;
      if (inFlight > BACKLOG) ws.pause();
      void exec
        .write(data)
        .catch(() => undefined)
        .finally(() => {
          inFlight -= data.length;
          if (inFlight <= BACKLOG / 2 && ws.isPaused) ws.resume();
        });
      return;
    }
    const control = parseClientControl(data.toString('utf8'));
    if (control?.t === 'resize') {
      pendingSize = { cols: control.cols, rows: control.rows };
      exec?.resize(control.cols, control.rows);
    } else if (control?.t === 'close') {
      closeAsked = true;
      abort.abort(new SshpodError('stream', 'the terminal was closed'));
      exec?.close();
      if (terminalPod) void ctx.pods.release(terminalPod.id, 'closed');
      ws.close(1000, 'closed');
    }
  });
  // A page that stopped beating (asleep, its network gone, the TCP connection half-open) loses
  // its terminal; the on-demand pod's own clock is TerminalPods.sweep().
  // The browser answers pings itself, even in a background tab whose timers are throttled.
  ws.on('pong', () => {
    lastMessage = Date.now();
    if (terminalPod) ctx.pods.beat(terminalPod.id);
  });
  const watch = setInterval(() => {
    if (ws.readyState === ws.OPEN) ws.ping();
    if (Date.now() - lastMessage <= ctx.heartbeatMs) return;
    abort.abort(new SshpodError('stream', 'the page stopped sending its heartbeat'));
    exec?.close();
    ws.terminate();
  }, Math.max(250, Math.floor(ctx.heartbeatMs / 4)));
  watch.unref();
  const socketClosed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  void socketClosed.then(() => {
    abort.abort(new SshpodError('stream', 'the page went away'));
    exec?.close();
  });

  try {
    const spec: TargetSpec = parseHostname(request.hostname.endsWith('.sshpod') || request.hostname.endsWith('.sshpod.') ? request.hostname : `${request.hostname}.sshpod`);
    host = canonicalHost(request.hostname);
    const session = await ctx.kube.connect(ctx.user, spec.context);
    where.context = session.context;

    let target: { namespace: string; pod: string; container: string };
    if (spec.kind === 'template') {
      terminalPod = request.reattach ? ctx.pods.find(request.reattach, ctx.user.name) : undefined;
      if (terminalPod && terminalPod.hostname !== host) terminalPod = undefined;
      if (!terminalPod) terminalPod = await startTerminalPod(ws, spec, host, session, ctx, abort.signal);
      ctx.pods.attach(terminalPod.id);
      target = terminalPod;
    } else {
      target = await resolveTarget(session.api, spec, session.namespace);
    }
    Object.assign(where, { namespace: target.namespace, pod: target.pod, container: target.container });
    if (abort.signal.aborted) throw abort.signal.reason;

    exec = await startExec(session.api, { namespace: target.namespace, pod: target.pod, container: target.container, command: SHELL_COMMAND, stdin: true, tty: true });
    if (abort.signal.aborted) {
      exec.close();
      throw abort.signal.reason;
    }
    exec.resize(pendingSize.cols, pendingSize.rows);
    ctx.audit({ action: 'terminal-open', user: ctx.user.name, peer: ctx.peer, hostname: host, ...where });
    send(ws, {
      t: 'ready',
      id: terminalPod?.id ?? '',
      context: session.context,
      namespace: target.namespace,
      pod: target.pod,
      container: target.container,
      onDemand: terminalPod !== undefined,
      heartbeatMs: ctx.heartbeatMs,
    });

    let firstOutput = '';
    let outputPaused = false;
    const running = exec;
    running.onStdout((chunk) => {
      bytesOut += chunk.length;
      if (firstOutput.length < FIRST_OUTPUT) firstOutput += chunk.toString('utf8', 0, Math.min(chunk.length, FIRST_OUTPUT));
      if (ws.readyState !== ws.OPEN) return;
      ws.send(chunk, { binary: true });
      if (ws.bufferedAmount > BACKLOG && !outputPaused) {
        // A browser slower than the pod: stop reading the pod until the browser caught up (one
        // check at a time, whatever was already on its way).
        outputPaused = true;
        running.pause();
        const check = setInterval(() => {
          if (ws.readyState !== ws.OPEN || ws.bufferedAmount < BACKLOG / 2) {
            clearInterval(check);
            outputPaused = false;
            running.resume();
          }
        }, 20);
      }
    });
    const result = await running.result;
    if (closeAsked) return finish('closed by the person');
    if (ws.readyState !== ws.OPEN) return finish('the page went away');
    if (bytesOut <= FIRST_OUTPUT && isNoShell(result, firstOutput)) {
      const error = noShellError(target);
      send(ws, errorMessage(error));
      ws.close(1000);
      return finish('no shell');
    }
    const message = exitMessage(result);
    send(ws, { t: 'exit', code: result.exitCode ?? null, message });
    // The shell ended by itself (exit, Ctrl-D): an on-demand pod has served its purpose.
    if (terminalPod && result.exitCode !== undefined) await ctx.pods.release(terminalPod.id, 'shell-ended');
    ws.close(1000);
    finish(message);
  } catch (error) {
    if (closeAsked || ws.readyState !== ws.OPEN) return finish(closeAsked ? 'closed by the person' : 'the page went away');
    log.debug(`web terminal ${host}: ${(error as Error).message}`);
    send(ws, errorMessage(error));
    ws.close(1000);
    finish(`failed: ${(error as Error).message}`);
  } finally {
    if (terminalPod) ctx.pods.detach(terminalPod.id);
    unregister();
    clearInterval(watch);
  }
}

async function startTerminalPod(
  ws: WebSocket,
  spec: TargetSpec,
  host: string,
  session: Awaited<ReturnType<KubeAccess['connect']>>,
  ctx: TerminalContext,
  signal: AbortSignal,
): Promise<TerminalPod> {
  if (ctx.pods.countOf(ctx.user.name) >= ctx.podsPerUser) {
    throw new SshpodError('usage', `you have ${ctx.podsPerUser} terminal pods already (the most sshpod web starts for one person)`, { hint: 'close a terminal of a template-- hostname first' });
  }
  const done = ctx.pods.startFor(ctx.user.name);
  try {
    const template = await ctx.kube.loadTemplate(ctx.user, spec.name);
    const namespace = spec.namespace ?? template.namespace ?? session.namespace;
    const progress = new ProgressLine();
    let guard: Guard | undefined;
    send(ws, { t: 'progress', text: `starting a pod from template "${template.name}" in namespace "${namespace}"` });
    const made = await startOnDemandPod(session.api, {
      template,
      namespace,
      owner: session.owner ?? ctx.user.owner,
      hostname: host,
      ...(spec.container === undefined ? {} : { container: spec.container }),
      startTimeoutMs: podStartTimeoutMs(),
      signal,
      onCreated: (releaseSpec) => {
        guard = ctx.guard?.(session.context, releaseSpec);
      },
      onProgress: (waitingFor, elapsedMs) => {
        const line = progress.next(waitingFor, elapsedMs);
        if (line !== undefined) send(ws, { t: 'progress', text: line });
      },
    }).catch((error: unknown) => {
      guard?.released(); // startOnDemandPod released the pod before it threw
      throw error;
    });
    const pod: TerminalPod = {
      id: TerminalPods.newId(),
      user: ctx.user.name,
      hostname: host,
      context: session.context,
      namespace: made.namespace,
      pod: made.pod,
      container: made.container,
      release: async () => {
        await made.release();
        guard?.released();
      },
    };
    ctx.pods.add(pod);
    ctx.audit({ action: 'pod-created', user: ctx.user.name, peer: ctx.peer, hostname: host, context: session.context, namespace: made.namespace, pod: made.pod, container: made.container });
    return pod;
  } finally {
    done();
  }
}
