// Cleans what a crashed runtime (SIGKILL, power cut) left in its state directory. Its processes
// normally died with it (parent-death signals all the way down, and PID namespaces take every
// container process with their init); what can remain is found three ways: the state id's
// cgroups, the pids each pod recorded (for hosts without cgroup2), and mounts (none by design:
// every mount lives in a pod's own mount namespace; checked anyway).
import { execFile } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CgroupTree } from './cgroup.ts';
import { killQuietly, unescapeMountinfo } from './cgroup.ts';
import { liveProcessOf } from './ownership.ts';

const run = promisify(execFile);

export const PIDS_FILE = 'pids';

export async function cleanStaleState(stateDir: string, cgroups: CgroupTree | undefined): Promise<void> {
  await cgroups?.killAll();
  const podsDir = join(stateDir, 'pods');
  for (const pod of await readdir(podsDir).catch(() => [] as string[])) {
    const recorded = await readFile(join(podsDir, pod, PIDS_FILE), 'utf8').catch(() => '');
    for (const line of recorded.split('\n').filter(Boolean)) {
      const pid = await liveProcessOf(line);
      if (pid !== undefined) killQuietly(pid);
    }
  }
  for (const mountPoint of mountsUnder(await readFile('/proc/self/mountinfo', 'utf8'), stateDir)) {
    await run('umount', ['-l', mountPoint]).catch(() => undefined);
  }
  await rm(podsDir, { recursive: true, force: true });
}

/** Mount points at or below dir, deepest first. */
export function mountsUnder(mountinfo: string, dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((field): field is string => field !== undefined)
    .map(unescapeMountinfo)
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}
