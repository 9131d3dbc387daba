// One cgroup (v2) per pod, below <cgroup2 mount>/sshpod-runtime/<state id>: every process of the
// pod joins it first thing (nsexec --cgroup), so stopping a pod is one write to cgroup.kill, and
// a crashed runtime's leftovers are found by the next start with the same state directory.
// Without a writable cgroup2 hierarchy the runtime runs without (see runtime.ts).
import { appendFile, mkdir, readdir, readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The first writable cgroup2 mount in a /proc/self/mountinfo text (hybrid hosts mount it at
 *  /sys/fs/cgroup/unified, unified ones at /sys/fs/cgroup). */
export function cgroup2MountPoint(mountinfo: string): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const [mount, fs] = line.split(' - ');
    if (!mount || !fs?.startsWith('cgroup2 ')) continue;
    const fields = mount.split(' ');
    const mountPoint = fields[4];
    const options = fields[5]?.split(',') ?? [];
    if (mountPoint && options.includes('rw')) return unescapeMountinfo(mountPoint);
  }
  return undefined;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
export function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export class CgroupTree {
  readonly base: string;

  private constructor(base: string) {
    this.base = base;
  }

  /** The runtime's cgroup for a state id, or undefined when cgroup2 is not usable here. */
  static async open(stateId: string): Promise<CgroupTree | undefined> {
    const mountPoint = cgroup2MountPoint(await readFile('/proc/self/mountinfo', 'utf8'));
    if (!mountPoint) return undefined;
    const base = join(mountPoint, 'sshpod-runtime', stateId);
    try {
      await mkdir(base, { recursive: true });
      return new CgroupTree(base);
    } catch {
      return undefined; // read-only cgroupfs (e.g. inside a container)
    }
  }

  async create(name: string): Promise<string> {
    const dir = join(this.base, name);
    await mkdir(dir);
    return dir;
  }

  procsFile(dir: string): string {
    return join(dir, 'cgroup.procs');
  }

  /** Kills every process in the cgroup, waits until it is empty, and removes it. */
  async kill(dir: string): Promise<void> {
    try {
      await appendFile(join(dir, 'cgroup.kill'), '1');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // already gone
      await this.#killOneByOne(dir); // kernels before 5.14 have no cgroup.kill
    }
    await this.#waitEmpty(dir);
    await removeDir(dir);
  }

  /** Stale or not: every pod cgroup below the base, then the base itself. */
  async killAll(): Promise<void> {
    const entries = await readdir(this.base, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) await this.kill(join(this.base, entry.name));
    await removeDir(this.base);
  }

  async #killOneByOne(dir: string): Promise<void> {
    for (let round = 0; round < 100; round++) {
      const pids = await pidsIn(dir);
      if (pids.length === 0) return;
      for (const pid of pids) killQuietly(pid);
      await sleep(10);
    }
  }

  async #waitEmpty(dir: string): Promise<void> {
    // SIGKILL is delivered at once, but exiting takes a moment (a big process unmaps memory).
    for (let waited = 0; waited < 30_000; waited += 10) {
      const events = await readFile(join(dir, 'cgroup.events'), 'utf8').catch(() => 'populated 0');
      if (/^populated 0$/m.test(events)) return;
      await sleep(10);
    }
    throw new Error(`processes of ${dir} did not exit within 30s of SIGKILL: ${(await pidsIn(dir)).join(' ')}`);
  }
}

async function pidsIn(dir: string): Promise<number[]> {
  const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map(Number);
}

async function removeDir(dir: string): Promise<void> {
  await rmdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
