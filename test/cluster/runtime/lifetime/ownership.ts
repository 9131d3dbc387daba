// A state directory belongs to one live runtime at a time: a second runtime on the same
// directory would "clean up" the first one's pods as stale. Ownership is a file naming the
// owner's pid and start time (pids are reused; a pid with the same start time is the same process).
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Field 22 of /proc/<pid>/stat (clock ticks since boot), or undefined if the process is gone
 *  (a zombie is gone too: a crashed runtime's parent may never reap it). */
export async function processStartTime(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields && fields[0] !== 'Z' && fields[0] !== 'X' ? fields[19] : undefined;
}

export async function isSameProcess(pid: number, startTime: string): Promise<boolean> {
  return (await processStartTime(pid)) === startTime;
}

/** This process as an owner: the "pid start-time" line that owner and pid files hold. */
export async function ownerLine(): Promise<string> {
  return `${process.pid} ${(await processStartTime(process.pid)) ?? ''}\n`;
}

/** The pid a "pid start-time" line names, if that very process still lives. */
export async function liveProcessOf(line: string): Promise<number | undefined> {
  const [pid, startTime] = line.trim().split(' ');
  return pid && startTime && (await isSameProcess(Number(pid), startTime)) ? Number(pid) : undefined;
}

export async function claimStateDir(stateDir: string): Promise<void> {
  const file = join(stateDir, 'owner');
  const owner = await liveProcessOf(await readFile(file, 'utf8').catch(() => ''));
  if (owner !== undefined && owner !== process.pid) {
    throw new Error(`the test cluster state directory ${stateDir} is in use by process ${owner}; stop that cluster or give this one another state directory`);
  }
  await writeFile(file, await ownerLine());
}

export async function releaseStateDir(stateDir: string): Promise<void> {
  await rm(join(stateDir, 'owner'), { force: true });
}
