// What people run instead of sshpod, for the benchmark's side-by-side cases: `kubectl exec`,
// `kubectl cp` and `kubectl port-forward`, with the installed kubectl and the suite's kubeconfig.
// kubectl is a benchmark baseline here, never something sshpod itself runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { run, type RunResult } from '../e2e/harness.ts';
import { check } from './common.ts';

export interface PodRef {
  namespace: string;
  pod: string;
  container: string;
}

export class Kubectl {
  constructor(private readonly env: Record<string, string>) {}

  private async run(args: string[], input?: Buffer): Promise<RunResult> {
    return run('kubectl', args, { env: this.env, ...(input === undefined ? {} : { input }), timeoutMs: 300_000 });
  }

  /** `kubectl exec POD -c C -- command…`, with `-i` and `input` on its stdin when given. */
  async exec(target: PodRef, command: string[], input?: Buffer): Promise<void> {
    const args = ['exec', ...(input === undefined ? [] : ['-i']), '-n', target.namespace, target.pod, '-c', target.container, '--', ...command];
    check(await this.run(args, input), `kubectl ${args.join(' ')}`);
  }

  /** `kubectl cp` in either direction; a remote side is written `namespace/pod:path`. */
  async cp(from: string, to: string, container: string): Promise<void> {
    const args = ['cp', '-c', container, from, to];
    check(await this.run(args), `kubectl ${args.join(' ')}`);
  }

  /** `kubectl port-forward` of `ports` to local ports it chooses; close() stops it. */
  async portForward(target: PodRef, ports: number[]): Promise<PortForward> {
    const child = spawn('kubectl', ['port-forward', '-n', target.namespace, `pod/${target.pod}`, ...ports.map((port) => `:${port}`)], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const local = await forwardedPorts(child, ports);
    return new PortForward(child, local);
  }
}

/** Reads kubectl's "Forwarding from 127.0.0.1:LOCAL -> REMOTE" lines until every port has one. */
function forwardedPorts(child: ChildProcess, ports: number[]): Promise<Map<number, number>> {
  return new Promise((resolve, reject) => {
    const local = new Map<number, number>();
    let output = '';
    const timer = setTimeout(() => fail(new Error(`kubectl port-forward did not start in 30 s: ${output}`)), 30_000);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const match of output.matchAll(/Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/g)) local.set(Number(match[2]), Number(match[1]));
      if (ports.every((port) => local.has(port))) {
        clearTimeout(timer);
        resolve(local);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => fail(new Error(`kubectl port-forward exited (${code}): ${output}`)));
  });
}

export class PortForward {
  constructor(
    private readonly child: ChildProcess,
    private readonly local: Map<number, number>,
  ) {}

  /** A TCP connection to the local end of the forward of pod port `port`. */
  open(port: number): Promise<Socket> {
    const localPort = this.local.get(port);
    if (localPort === undefined) throw new Error(`port ${port} is not forwarded`);
    return new Promise((resolve, reject) => {
      const socket = connect(localPort, '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  close(): void {
    this.child.kill('SIGTERM');
  }
}
