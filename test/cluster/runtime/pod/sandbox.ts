// Starts a pod's sandbox: the process that holds the pod's network, IPC and UTS namespaces and
// the mount namespace of its memory-backed volumes, like Kubernetes' pause container.
import type { ChildProcess } from 'node:child_process';
import { readStatus } from '../helper/status.ts';
import type { Launcher } from '../helper/launch.ts';
import { launch } from '../helper/launch.ts';
import { helperArgv } from '../helper/argv.ts';
import { logTail } from './logs.ts';

const script = new URL('sandbox.sh', import.meta.url).pathname;

export interface Sandbox {
  process: ChildProcess;
  pid: number;
}

export async function startSandbox(launcher: Launcher, hostname: string, memoryVolumes: string[], logFd: number, logPath: string): Promise<Sandbox> {
  const holder = helperArgv({ statusFd: 3, command: ['sleep', 'infinity'] });
  const child = launch(
    launcher,
    { unshare: ['net', 'mnt', 'ipc', 'uts'], hostname, command: ['/bin/sh', script, launcher.helper, ...holder] },
    ['ignore', logFd, logFd, 'pipe'],
    { SSHPOD_MEMORY_VOLUMES: memoryVolumes.join('\n') },
  );
  const status = await readStatus(child.stdio[3] as NonNullable<ChildProcess['stdout']>);
  if (!status.execed || status.failure || child.pid === undefined) {
    child.kill('SIGKILL');
    throw new Error(`the pod sandbox did not start: ${await logTail(logPath)}`);
  }
  return { process: child, pid: child.pid };
}
