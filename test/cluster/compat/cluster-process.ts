// The cluster as `npm run cluster` runs it: a child process, ready when the kubeconfig
// appears, stopped with SIGTERM. Used by suites that also measure the server's memory (with
// Node's default flags unless `nodeArgs` says otherwise) and by the CPU benchmark.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '../cluster.ts';

export interface ClusterProcess {
  child: ChildProcess;
  kubeconfig: string;
  output(): string;
  /** Resident memory of the cluster process, in bytes: now, and the peak since resetPeak(). */
  memory(): { rss: number; peak: number };
  resetPeak(): void;
  stop(): Promise<number | null>;
}

function statusField(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return Number((line ?? '0').replace(/\D+/g, '')) * 1024;
}

export async function startClusterProcess(dir: string, manifests: string[], timeoutMs = 120_000, nodeArgs: string[] = []): Promise<ClusterProcess> {
  const kubeconfig = join(dir, 'kubeconfig');
  const args = [...nodeArgs, '--import', 'tsx', join(repoRoot, 'test/cluster/main.ts'), '--kubeconfig', kubeconfig, '--no-install', ...manifests.flatMap((m) => ['--manifest', m])];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(kubeconfig)) {
    if (child.exitCode !== null) throw new Error(`the cluster exited with ${child.exitCode} before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`the cluster was not ready after ${timeoutMs} ms:\n${output}`);
    }
    await sleep(100);
  }
  const pid = child.pid as number;
  return {
    child,
    kubeconfig,
    output: () => output,
    memory: () => ({ rss: statusField(pid, 'VmRSS'), peak: statusField(pid, 'VmHWM') }),
    // Writing 5 to clear_refs resets the peak resident set size (VmHWM) to the current one.
    resetPeak: () => writeFileSync(`/proc/${pid}/clear_refs`, '5'),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
