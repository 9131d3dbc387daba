// Shared by the compatibility suites: whether the cluster can run here, kubectl as a process,
// the transfer server pod, and a client for its protocol over any duplex stream.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable, type Duplex } from 'node:stream';

import { clusterSkipReason } from '../testing.ts';

export { clusterSkipReason };

export function kubectlSkipReason(): string | undefined {
  const base = clusterSkipReason();
  if (base) return base;
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'kubectl is not installed';
  return undefined;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl with a kubeconfig and a private discovery cache (nothing left in ~/.kube). */
export function kubectl(kubeconfig: string, cacheDir: string, args: string[], options: { input?: Buffer | string; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { env: { ...process.env, ...options.env } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

const transferServerSource = readFileSync(new URL('./fixtures/transfer-server.py', import.meta.url), 'utf8');

/** A debian pod running the transfer server on `port`. */
export function transferServerPod(name: string, port: number): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'server', image: 'debian', command: ['python3', '-c', transferServerSource, String(port)] }] },
  };
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** Exact-length reads from a stream: raw bytes, or a running hash for large payloads. */
function reader(stream: Duplex): { take(n: number): Promise<Buffer>; hash(n: number): Promise<string> } {
  let buffered: Buffer = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  let ended = false;
  stream.on('data', (c: Buffer) => {
    buffered = buffered.length === 0 ? c : Buffer.concat([buffered, c]);
    waiting?.();
  });
  stream.on('end', () => {
    ended = true;
    waiting?.();
  });
  const more = (): Promise<void> =>
    new Promise((resolve, reject) => {
      if (ended) reject(new Error('stream ended early'));
      waiting = () => {
        waiting = undefined;
        resolve();
      };
    });
  return {
    async take(n) {
      while (buffered.length < n) await more();
      const out = buffered.subarray(0, n);
      buffered = buffered.subarray(n);
      return out;
    },
    async hash(n) {
      const h = createHash('sha256');
      let left = n;
      while (left > 0) {
        if (buffered.length === 0) await more();
        const piece = buffered.subarray(0, left);
        h.update(piece);
        left -= piece.length;
        buffered = buffered.subarray(piece.length);
      }
      return h.digest('hex');
    },
  };
}

async function writeAll(stream: Duplex, data: Buffer): Promise<void> {
  for (let i = 0; i < data.length; i += 1 << 16) {
    if (!stream.write(data.subarray(i, i + (1 << 16)))) await new Promise((r) => stream.once('drain', r));
  }
}

/** Upload n random bytes, then download n; returns whether both hashes matched. */
export async function transferBothWays(stream: Duplex, n: number): Promise<{ upload: boolean; download: boolean }> {
  const r = reader(stream);
  const data = randomBytes(n);
  const want = createHash('sha256').update(data).digest('hex');
  stream.write(Buffer.concat([Buffer.from('U'), u64(n)]));
  await writeAll(stream, data);
  const uploaded = (await r.take(64)).toString();
  stream.write(Buffer.concat([Buffer.from('D'), u64(n)]));
  const announced = (await r.take(64)).toString();
  const got = await r.hash(n);
  return { upload: uploaded === want, download: announced === got };
}

export interface ExecOutput {
  stdout: string;
  stderr: string;
  /** The status the server sent on the error channel. */
  status: { status?: string; reason?: string; message?: string; details?: { causes?: { message?: string }[] } };
  exitCode: number;
}

/** A writable that keeps what it is given, for a client's output streams. */
export function collect(): { stream: Writable; text(): string } {
  const parts: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        parts.push(chunk);
        callback();
      },
    }),
    text: () => Buffer.concat(parts).toString('utf8'),
  };
}

/** One exec through @kubernetes/client-node, collecting its output. */
export async function execWithClientNode(kubeconfigPath: string, namespace: string, pod: string, container: string, command: string[]): Promise<ExecOutput> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const out = collect();
  const err = collect();
  const status = await new Promise<ExecOutput['status']>((resolve, reject) => {
    new k8s.Exec(kc).exec(namespace, pod, container, command, out.stream, err.stream, null, false, (s) => resolve(s as ExecOutput['status'])).catch(reject);
  });
  const exitCode = status.status === 'Success' ? 0 : Number(status.details?.causes?.[0]?.message ?? -1);
  return { stdout: out.text(), stderr: err.text(), status, exitCode };
}
