// Shell mode: `ssh alice@gateway` lands in alice's default target. The gateway is an SSH client of
// the pod's sshd (one SSH connection per gateway connection, opened at the first session, with the
// gateway's own key installed through the same exec as the ProxyCommand's, the pod's host key checked
// against the one that exec reported), and each session request is passed on: pty and window
// changes, env, shell, exec, subsystems (sftp), signals; output, stderr, exit status or signal come
// back. Channels are piped, so SSH's windows bound the memory each one holds.
import type { Client, ClientChannel, PseudoTtyOptions, ServerChannel, Session } from 'ssh2';
import { shellQuote } from './quote.ts';

/** What the pod-side SSH connection offers the sessions of one gateway connection. */

export interface SessionHooks {
  /** The pod-side connection, made (once per gateway connection) when the first session needs it. */
  backend(): Promise<Client>;
  /** The failure, worded for the person, and the exit status to end the session with. */
  failed(error: unknown): string;
  opened(kind: 'shell' | 'exec' | 'subsystem', detail: string | undefined): void;
  closed(result: { kind: string; command?: string; exitStatus?: number; exitSignal?: string; bytesUp: number; bytesDown: number; durationMs: number }): void;
  activity(): void;
  /** A subsystem the gateway answers itself (the web sign-in link), instead of the pod. */
  local?(subsystem: string): ((channel: ServerChannel) => void) | undefined;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const MAX_ENV = 64;
const MAX_ENV_BYTES = 16 * 1024;

/** The environment as a prefix every POSIX shell runs before the command (the pod's sshd takes no env requests). */
export function envPrefix(env: ReadonlyArray<[string, string]>): string {
  if (env.length === 0) return '';
  return `export ${env.map(([name, value]) => `${name}=${shellQuote(value)}`).join(' ')}; `;
}

/** Bridges one session channel of the gateway to a session of the pod's sshd. */
export function bridgeSession(session: Session, hooks: SessionHooks): void {
  let pty: PseudoTtyOptions | undefined;
  const env: [string, string][] = [];
  let envBytes = 0;
  let remote: ClientChannel | undefined;
  let started = false;

  session.on('pty', (accept, _reject, info) => {
    pty = { term: info.term, cols: info.cols, rows: info.rows, width: info.width, height: info.height, modes: info.modes };
    accept?.();
  });
  session.on('window-change', (accept, _reject, info) => {
    if (pty) Object.assign(pty, { cols: info.cols, rows: info.rows, width: info.width, height: info.height });
    remote?.setWindow(info.rows, info.cols, info.height, info.width);
    accept?.();
  });
  session.on('env', (accept, reject, info) => {
    const size = info.key.length + info.val.length;
    if (started || !ENV_NAME.test(info.key) || info.val.includes('\0') || env.length >= MAX_ENV || envBytes + size > MAX_ENV_BYTES) return void reject?.();
    envBytes += size;
    env.push([info.key, info.val]);
    accept?.();
  });
  session.on('signal', (accept, _reject, info) => {
    remote?.signal(info.name);
    accept?.();
  });
  // Agent and X11 forwarding are jump mode's (end to end); here they are refused, as sshd would.
  session.on('auth-agent', (_accept, reject) => reject?.());
  session.on('x11', (_accept, reject) => reject?.());

  const start = (kind: 'shell' | 'exec' | 'subsystem', accept: () => ServerChannel | undefined, reject: () => void, detail?: string): void => {
    if (started) return void reject();
    started = true;
    const began = Date.now();
    // Accepted at once: ssh sends EOF right after the request when it has no input, and a session
    // that ends before it is accepted can no longer carry an answer. What the client sends waits in
    // the channel (it is read only once piped) until the pod's side is there.
    const local = accept();
    if (!local) return;
    const fail = (message: string): void => {
      local.stderr.write(`${message}\n`);
      local.exit(255);
      local.end();
      hooks.closed({ kind, ...(detail === undefined ? {} : { command: detail }), exitStatus: 255, bytesUp: 0, bytesDown: 0, durationMs: Date.now() - began });
    };
    void (async () => {
      let client: Client;
      try {
        client = await hooks.backend();
      } catch (error) {
        return fail(hooks.failed(error));
      }
      const prefix = envPrefix(env);
      const opened = await new Promise<ClientChannel | Error>((resolve) => {
        const done = (error: Error | undefined, channel: ClientChannel): void => resolve(error ?? channel);
        if (kind === 'subsystem') client.subsys(detail ?? '', done);
        else if (kind === 'exec') client.exec(`${prefix}${detail ?? ''}`, pty ? { pty } : {}, done);
        else if (prefix) client.exec(`${prefix}exec "\${SHELL:-/bin/sh}" -l`, pty ? { pty } : {}, done);
        else client.shell(pty ?? false, done);
      });
      if (opened instanceof Error) return fail(`sshpod: the pod's sshd refused the ${kind}: ${opened.message}`);
      remote = opened;
      hooks.opened(kind, detail);
      let bytesUp = 0;
      let bytesDown = 0;
      let exitStatus: number | undefined;
      let exitSignal: string | undefined;
      local.on('data', (chunk: Buffer) => {
        bytesUp += chunk.length;
        hooks.activity();
      });
      opened.on('data', (chunk: Buffer) => {
        bytesDown += chunk.length;
        hooks.activity();
      });
      opened.stderr.on('data', (chunk: Buffer) => (bytesDown += chunk.length));
      local.pipe(opened);
      opened.pipe(local, { end: false });
      opened.stderr.pipe(local.stderr, { end: false });
      opened.on('exit', (code: number | null, signal?: string, coreDumped?: boolean, description?: string) => {
        if (typeof code === 'number') {
          exitStatus = code;
          local.exit(code);
        } else if (signal) {
          exitSignal = signal;
          local.exit(signal, coreDumped ?? false, description ?? '');
        }
      });
      let closed = false;
      const finish = (): void => {
        if (closed) return;
        closed = true;
        local.end();
        opened.close();
        hooks.closed({ kind, ...(detail === undefined ? {} : { command: detail }), ...(exitStatus === undefined ? {} : { exitStatus }), ...(exitSignal === undefined ? {} : { exitSignal }), bytesUp, bytesDown, durationMs: Date.now() - began });
      };
      // The pod's side ends: after its output has gone out, the gateway's channel ends too.
      opened.once('close', finish);
      local.once('close', finish);
      local.on('error', () => finish());
      opened.on('error', () => finish());
    })();
  };

  session.on('shell', (accept, reject) => start('shell', accept, reject));
  session.on('exec', (accept, reject, info) => start('exec', accept, reject, info.command));
  session.on('subsystem', (accept, reject, info) => {
    const serve = hooks.local?.(info.name);
    if (!serve) return start('subsystem', accept, reject, info.name);
    if (started) return void reject();
    started = true;
    const channel = accept();
    if (channel) serve(channel);
  });
}
