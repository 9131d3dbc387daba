// End-to-end tests drive sshpod the way a user does: the real OpenSSH ssh/scp/sftp/rsync, the
// built CLI as ProxyCommand (through the block `sshpod configure` wrote), a kubeconfig, and the
// local test cluster with real containers. Each suite gets its own cluster and its own HOME.
// The same harness drives the real lane (test/real): attachE2E() takes any cluster that can write
// a kubeconfig and stop — the stand-in, or a namespace of the running real Kubernetes.
//
// Two departures from a user's setup, both for test determinism:
//  - ssh is given `-F $HOME/.ssh/config`: ssh finds ~ through the passwd database, not $HOME.
//  - ControlMaster is off unless a test asks for it, so that every ssh really runs the proxy
//    (connection sharing has its own test, which closes its master when done).
// `asPerson` departs only in the first: it runs a program with the block exactly as written
// (sharing on, ssh's own log level, no BatchMode), with or without a pseudo-terminal.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster, type ClusterOptions } from '../cluster/index.ts';
import { execWithClientNode } from '../cluster/compat/helpers.ts';
import { sshpodPaths } from '../../src/ssh/paths.ts';

export const repo = new URL('../..', import.meta.url).pathname;
export const sshpodBin = join(repo, 'bin', 'sshpod.cjs');

/** Why this machine cannot run the end-to-end suites (they need the local test cluster), or undefined. */
export { clusterSkipReason as e2eSkipReason } from '../cluster/compat/helpers.ts';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  timeoutMs?: number;
  cwd?: string;
}

/**
 * Runs a command and resolves when it exits and its stdout has ended. stderr is not awaited to its
 * end: a ControlPersist master keeps the ProxyCommand's stderr (inherited) open long after ssh exits.
 */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let exited: number | null | undefined;
    let stdoutEnded = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish in ${options.timeoutMs ?? 120_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 120_000);
    const finish = (): void => {
      if (exited === undefined || !stdoutEnded) return;
      clearTimeout(timer);
      // Give stderr a moment to flush what the process wrote before it exited.
      setImmediate(() => resolve({ code: exited ?? null, stdout, stderr }));
    };
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('end', () => {
      stdoutEnded = true;
      finish();
    });
    child.on('exit', (code) => {
      exited = code;
      finish();
    });
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

export interface SshRunOptions extends RunOptions {
  sshOptions?: string[];
  /** Use the block's connection sharing (ControlMaster auto) instead of turning it off. */
  shared?: boolean;
}

export interface PersonRunOptions extends RunOptions {
  /** Run it in a pseudo-terminal (util-linux script), as in a person's terminal. */
  terminal?: boolean;
}

/** `word` quoted for sh. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** What the harness needs of a cluster: a kubeconfig for the test HOME, and an end. */
export interface E2ECluster {
  writeKubeconfig(path: string): Promise<unknown>;
  stop(): Promise<void>;
}

export interface E2E<C extends E2ECluster = Cluster> {
  cluster: C;
  home: string;
  env: Record<string, string>;
  /** The ssh config `sshpod configure` wrote in this suite's HOME. */
  sshConfig: string;
  /**
   * Runs a program as a person would, through the block exactly as configured: the environment
   * and nothing else (in a terminal: everything it printed is in stdout, with \r\n line ends).
   */
  asPerson(argv: string[], options?: PersonRunOptions): Promise<RunResult>;
  /** `ssh [options] user@host command…` with the test HOME's config. */
  ssh(userAtHost: string, command: string[], options?: SshRunOptions): Promise<RunResult>;
  scp(args: string[], options?: RunOptions): Promise<RunResult>;
  sftp(args: string[], options?: RunOptions): Promise<RunResult>;
  sshpod(args: string[], options?: RunOptions): Promise<RunResult>;
  /** Runs `sh -c script` in a container through the exec API (client-node), for inspection. */
  podShell(namespace: string, pod: string, container: string, script: string): Promise<string>;
  stop(): Promise<void>;
}

const baseSshOptions = ['-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR'];
const unshared = ['-o', 'ControlMaster=no', '-o', 'ControlPath=none'];
export const sshOptions = [...baseSshOptions, ...unshared];

export async function startE2E(options: ClusterOptions & { kubeconfigContexts?: Parameters<Cluster['writeKubeconfig']>[1] } = {}): Promise<E2E> {
  const { kubeconfigContexts, ...clusterOptions } = options;
  const cluster = await startCluster(clusterOptions);
  return attachE2E(cluster, (path) => cluster.writeKubeconfig(path, kubeconfigContexts));
}

/** A test HOME configured by `sshpod configure`, with a kubeconfig for `cluster`; stop() stops the cluster too. */
export async function attachE2E<C extends E2ECluster>(cluster: C, writeKubeconfig: (path: string) => Promise<unknown> = (path) => cluster.writeKubeconfig(path)): Promise<E2E<C>> {
  const home = mkdtempSync(join(tmpdir(), 'sshpod-e2e-home-'));
  const kubeconfig = join(home, '.kube', 'config');
  await writeKubeconfig(kubeconfig);
  const env: Record<string, string> = {
    HOME: home,
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    KUBECONFIG: kubeconfig,
    LANG: 'C.UTF-8',
  };
  const config = join(home, '.ssh', 'config');
  const withEnv = (o: RunOptions = {}): RunOptions => ({ ...o, env: { ...env, ...o.env } });

  const sshpod = (args: string[], o?: RunOptions): Promise<RunResult> => run(process.execPath, [sshpodBin, ...args], withEnv(o));
  const configured = await sshpod(['configure', '--yes']);
  if (configured.code !== 0) throw new Error(`sshpod configure failed: ${configured.stderr}`);

  const e2e: E2E<C> = {
    cluster,
    home,
    env,
    sshConfig: config,
    asPerson: ([program, ...args], o = {}) =>
      o.terminal
        ? run('script', ['-qec', [program as string, ...args].map(shellQuote).join(' '), '/dev/null'], withEnv(o))
        : run(program as string, args, withEnv(o)),
    ssh: (userAtHost, command, o = {}) =>
      run('ssh', ['-F', config, ...baseSshOptions, ...(o.shared ? [] : unshared), ...(o.sshOptions ?? []), userAtHost, ...command], withEnv(o)),
    scp: (args, o) => run('scp', ['-F', config, ...sshOptions, ...args], withEnv(o)),
    sftp: (args, o) => run('sftp', ['-F', config, ...sshOptions, ...args], withEnv(o)),
    sshpod,
    async podShell(namespace, pod, containerName, script) {
      const result = await execWithClientNode(kubeconfig, namespace, pod, containerName, ['sh', '-c', script]);
      if (result.status.status !== 'Success') throw new Error(`exec in ${namespace}/${pod} failed: ${result.status.message ?? ''} ${result.stderr}`);
      return result.stdout;
    },
    async stop() {
      // Close any connection-sharing master the tests left, then everything else.
      const controlDir = sshpodPaths(home).controlDir;
      let sockets: string[] = [];
      try {
        sockets = readdirSync(controlDir);
      } catch {
        // no sharing was used
      }
      for (const socket of sockets) {
        spawnSync('ssh', ['-F', config, '-o', `ControlPath=${join(controlDir, socket)}`, '-O', 'exit', 'any.sshpod'], { env, stdio: 'ignore', timeout: 10_000 });
      }
      await cluster.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
  return e2e;
}

/** A pod object for the test cluster. */
export function pod(name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...metadata }, spec };
}

export function container(name: string, image: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image, ...extra };
}

/** The lines an error run printed that come from sshpod, and a check that no stack trace leaked. */
export function sshpodLines(stderr: string): string[] {
  return stderr.split(/\r?\n/).filter((line) => line.startsWith('sshpod: ') || line.startsWith('hint: '));
}

export function hasStackTrace(stderr: string): boolean {
  return /^\s+at .+\(.+:\d+:\d+\)$/m.test(stderr) || /node:internal/.test(stderr);
}

/**
 * A pod shell script that prints how many sshd processes listen (not per-connection ones), counted
 * from /proc. The pattern is assembled at run time so that the script's own command line does not match.
 */
export const countSshdListeners = `n=0; word=listen; for p in /proc/[0-9]*; do
  [ -r "$p/cmdline" ] || continue
  case "$(tr '\\0' ' ' < "$p/cmdline" 2>/dev/null)" in *sshd*"[\${word}er]"*) n=$((n+1)) ;; esac
done; echo $n`;

/** Polls `check` every 100 ms until it gives a value (not undefined or false); past `timeoutMs`, fails naming `what`. */
export async function waitUntil<T>(what: string, check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
