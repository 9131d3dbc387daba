// The benchmark's tree of small files: what a source checkout or a build output looks like to
// rsync and `kubectl cp` (many files of a few KiB, in nested directories), random content.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILES_PER_DIRECTORY = 50;

function directoryOf(root: string, i: number): string {
  return join(root, `d${Math.floor(i / (FILES_PER_DIRECTORY * 10))}`, `s${Math.floor(i / FILES_PER_DIRECTORY) % 10}`);
}

/** Writes `files` files of 256 B to 8 KiB under `root`, 50 to a directory, two levels deep. */
export function writeTree(root: string, files: number): void {
  for (let i = 0; i < files; i++) {
    const directory = directoryOf(root, i);
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, `f${i}.txt`), randomBytes(256 + ((i * 7919) % 7937)));
  }
}

/** An edit between two syncs: every `every`-th file of the tree gets new content of the same size. */
export function changeTree(root: string, files: number, every: number): void {
  for (let i = 0; i < files; i += every) writeFileSync(join(directoryOf(root, i), `f${i}.txt`), randomBytes(256 + ((i * 7919) % 7937)));
}
