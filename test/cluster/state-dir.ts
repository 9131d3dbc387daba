// Where a cluster run keeps its state: <base>/<pid>-<n>, one directory per cluster, marked
// with its owner's pid and start time. Directories whose owner is gone (a crashed or killed
// run) are cleaned at the next start — by the runtime, which knows what it left there — and
// removed, so a crash is never fatal and never accumulates.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { liveProcessOf, ownerLine } from './runtime/lifetime/ownership.ts';

const ownerFile = 'cluster-owner';
let counter = 0;

async function ownerAlive(dir: string): Promise<boolean> {
  return (await liveProcessOf(await readFile(join(dir, ownerFile), 'utf8').catch(() => ''))) !== undefined;
}

/** Cleans every run directory under `base` whose owner is gone. */
export async function cleanStaleRuns(base: string, cleanup: (dir: string) => Promise<void>, log: (message: string) => void): Promise<void> {
  const entries = await readdir(base).catch(() => [] as string[]);
  for (const name of entries) {
    const dir = join(base, name);
    if (await ownerAlive(dir)) continue;
    log(`cleaning up the state of a cluster that did not stop cleanly: ${dir}`);
    try {
      await cleanup(dir);
    } catch (error) {
      log(`could not clean ${dir}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    await rm(dir, { recursive: true, force: true });
  }
}

export async function createRunDir(base: string): Promise<string> {
  const dir = join(base, `${process.pid}-${++counter}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, ownerFile), await ownerLine());
  return dir;
}

/** Marks an explicitly given state directory as ours (a stale one is cleaned first by the caller). */
export async function claimDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, ownerFile), await ownerLine());
}

export async function isDirOwnedByLiveProcess(dir: string): Promise<boolean> {
  return ownerAlive(dir);
}
