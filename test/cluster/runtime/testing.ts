// Shared by the runtime's Linux suites: skip rules, pod specs, and running commands in pods.
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveProcessOf } from './lifetime/ownership.ts';
import { mountsUnder as mountsIn } from './lifetime/stale.ts';
import { clusterSkipReason, waitFor } from '../testing.ts';
import type { LocalRuntime } from './runtime.ts';
import { createRuntime } from './runtime.ts';
import type { ContainerSpec, ExecResult, ImageName, PodHandle, PodSpecForRuntime } from './types.ts';

export { waitFor };

/** Why these suites cannot run here, or false. */
export const skipReason: string | false = clusterSkipReason() ?? false;

export const serverScript = readFileSync(new URL('fixtures/tcp-server.py', import.meta.url), 'utf8');

export function container(name: string, image: ImageName, extra: Partial<ContainerSpec> = {}): ContainerSpec {
  return { name, image, env: {}, volumeMounts: [], ...extra };
}

export function podSpec(name: string, containers: ContainerSpec[], extra: Partial<PodSpecForRuntime> = {}): PodSpecForRuntime {
  return { uid: randomUUID(), namespace: 'test', name, hostname: name, volumes: [], containers, ...extra };
}

/** Every test runtime's state directory is below this one. */
const testStateRoot = join(tmpdir(), 'sshpod-runtime-tests');

/** A fresh state directory. Those of test runs that died (killed by a timeout, say) are cleaned
 *  up first, by the runtime's own stale cleanup. */
export async function testStateDir(): Promise<string> {
  await mkdir(testStateRoot, { recursive: true });
  for (const entry of await readdir(testStateRoot)) {
    const dir = join(testStateRoot, entry);
    const owner = (await readFile(join(dir, 'owner'), 'utf8').catch(() => '')).trim();
    if (owner === '' || (await liveProcessOf(owner)) !== undefined) continue; // just being created, or live
    try {
      await (await createRuntime({ stateDir: dir })).shutdown();
      await rm(dir, { recursive: true, force: true });
    } catch {
      // another test process is sweeping it
    }
  }
  return mkdtemp(join(testStateRoot, 'run-'));
}

/** A runtime on a fresh state directory; `close` shuts it down and removes the directory. */
export async function testRuntime(options: { cgroups?: boolean } = {}): Promise<LocalRuntime & { close(): Promise<void> }> {
  const stateDir = await testStateDir();
  const runtime = await createRuntime({ stateDir, ...options });
  return Object.assign(runtime, {
    async close(): Promise<void> {
      await runtime.shutdown();
      await rm(stateDir, { recursive: true, force: true });
    },
  });
}

export interface RunOutput {
  stdout: string;
  stderr: string;
  result: ExecResult;
}

export async function run(pod: PodHandle, containerName: string, command: string[], stdin?: string | Buffer): Promise<RunOutput> {
  const exec = pod.exec({ container: containerName, command, stdin: stdin !== undefined, tty: false });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  exec.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  exec.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  exec.stdin?.end(stdin);
  const result = await exec.done;
  return { stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString(), result };
}

/** Runs a shell command that must succeed, and returns its stdout. */
export async function sh(pod: PodHandle, containerName: string, script: string): Promise<string> {
  const { stdout, stderr, result } = await run(pod, containerName, ['sh', '-c', script]);
  if (result.exitCode !== 0) throw new Error(`'${script}' in ${containerName} exited ${result.exitCode}: ${stderr}`);
  return stdout;
}


/** Waits until something in the pod accepts connections on `port`. */
export function waitForListener(pod: PodHandle, port: number, what = `the server on ${port}`): Promise<void> {
  return waitFor(what, () => pod.connect(port).then((s) => (s.destroy(), true), () => false));
}

/** A number to run `sleep <marker>` with, and find those processes again on the host. */
export function marker(): string {
  return `9${randomBytes(4).readUInt32BE(0)}`;
}

/** Host pids of the processes running exactly `sleep <mark>` (not the helpers that started them). */
export function hostSleepers(mark: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8') === `sleep\0${mark}\0`) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Mount points at or below a directory, from the host's view. */
export function mountsUnder(dir: string): string[] {
  return mountsIn(readFileSync('/proc/self/mountinfo', 'utf8'), dir);
}

/** A free-looking high port (the tests check the host refuses it before relying on that). */
export function randomPort(): number {
  return 20_000 + (randomBytes(2).readUInt16BE(0) % 30_000);
}
