// One container of a pod: its main process (PID 1 of its own PID namespace, in the pod's
// network/IPC/UTS namespaces, on its own root filesystem) and the state kubelet would report.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { helperArgv } from '../helper/argv.ts';
import type { Launcher } from '../helper/launch.ts';
import { launch } from '../helper/launch.ts';
import { readStatus } from '../helper/status.ts';
import { exitCodeOf, startFailure } from '../exec/result.ts';
import type { Image } from '../images/store.ts';
import { readPasswd } from '../images/store.ts';
import { containerCommand } from '../process/command.ts';
import { processEnvironment } from '../process/environment.ts';
import { parsePasswd, resolveUser } from '../process/user.ts';
import type { ContainerSpec, ContainerState, VolumeSpec } from '../types.ts';
import { logTail } from './logs.ts';
import type { PodPaths } from './plan.ts';
import { setupEnvironment } from './plan.ts';

const setupScript = new URL('container-setup.sh', import.meta.url).pathname;

/** Kubernetes' exit code for a container whose process never started. */
const START_ERROR_EXIT_CODE = 128;

export interface ContainerPlace {
  hostname: string;
  sandboxPid: number;
  volumes: VolumeSpec[];
  paths: PodPaths;
  logFd: number;
  logPath: string;
  /** Host pid of a process whose PID namespace this container joins (an ephemeral container's
   *  target); without it the container gets a PID namespace of its own. */
  sharePidWith?: number;
}

export class Container {
  readonly spec: ContainerSpec;
  readonly image: Image;
  readonly hostname: string;
  readonly workingDir: string;
  state: ContainerState;
  /** PID 1 of the container, as the host sees it: execs join its namespaces. */
  pid: number | undefined;
  #process: ChildProcess | undefined;

  constructor(spec: ContainerSpec, image: Image, hostname: string) {
    this.spec = spec;
    this.image = image;
    this.hostname = hostname;
    this.workingDir = spec.workingDir || image.config.workingDir;
    this.state = { name: spec.name, running: false, startedAt: new Date() };
  }

  /** Starts the main process; resolves once it runs or has failed to start. */
  async start(launcher: Launcher, place: ContainerPlace, onChange: () => void): Promise<void> {
    const { spec, image } = this;
    const user = resolveUser(parsePasswd(await readPasswd(image)), spec.runAsUser, spec.runAsGroup);
    const env = processEnvironment({ image: image.config.env, hostname: this.hostname, spec: spec.env, home: user.home });
    const command = containerCommand(image.config.cmd, spec.command, spec.args);
    const setupEnv = setupEnvironment(spec, image, place.volumes, place.paths, this.workingDir);
    await mkdir(place.paths.scratch, { recursive: true });

    const main = helperArgv({
      statusFd: 3,
      pivotRoot: join(place.paths.scratch, 'rootfs'),
      uid: user.uid,
      gid: user.gid,
      cwd: this.workingDir,
      env,
      command,
    });
    const ns = (name: string): string => `/proc/${place.sandboxPid}/ns/${name}`;
    // Joining a PID namespace applies to the helper's children: nsexec forks after it, so the
    // setup script (and the command it becomes) run inside the target's namespace, as with
    // containerd for an ephemeral container with targetContainerName.
    const pidJoin = place.sharePidWith === undefined ? [] : [`/proc/${place.sharePidWith}/ns/pid`];
    const child = launch(
      launcher,
      {
        join: [ns('net'), ns('ipc'), ns('uts'), ...pidJoin, ns('mnt')],
        unshare: place.sharePidWith === undefined ? ['mnt', 'pid'] : ['mnt'],
        pidFd: 3,
        command: ['/bin/sh', setupScript, launcher.helper, ...main],
      },
      ['ignore', place.logFd, place.logFd, 'pipe'],
      setupEnv,
    );
    this.#process = child;
    this.state = { name: spec.name, running: false, startedAt: new Date() };
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: 125, signal: null }));
    });

    const status = await readStatus(child.stdio[3] as NonNullable<ChildProcess['stdout']>);
    this.pid = status.pid;
    const failure = status.failure
      ? startFailure(status, command[0] ?? '', this.workingDir)?.message
      : status.execed
        ? undefined
        : `container setup failed: ${await logTail(place.logPath)}`;
    if (failure === undefined) {
      this.state = { ...this.state, running: true };
      void exit.then((how) => {
        const exitCode = exitCodeOf(how);
        this.state = { ...this.state, running: false, exitCode, finishedAt: new Date(), reason: exitCode === 0 ? 'Completed' : 'Error' };
        onChange();
      });
    } else {
      await exit;
      this.state = {
        ...this.state,
        exitCode: START_ERROR_EXIT_CODE,
        finishedAt: new Date(),
        reason: 'StartError',
        message: `unable to start container process: ${failure}`,
      };
    }
    onChange();
  }

  /** Who an exec runs as and with what environment, read now from the container's own
   *  /etc/passwd (as runc does for every exec). */
  execIdentity(tty: boolean): { uid: number; gid: number; env: [string, string][] } {
    let passwd = '';
    try {
      passwd = readFileSync(`/proc/${this.pid}/root/etc/passwd`, 'utf8'); // small; exec() is synchronous
    } catch {
      // no /etc/passwd in the image: uid and gid as given, HOME=/
    }
    const user = resolveUser(parsePasswd(passwd), this.spec.runAsUser, this.spec.runAsGroup);
    const env = processEnvironment({ image: this.image.config.env, hostname: this.hostname, spec: this.spec.env, home: user.home, tty });
    return { uid: user.uid, gid: user.gid, env };
  }
}
