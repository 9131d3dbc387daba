// The benchmark's tree of small files: what a source checkout or a build output looks like to
// rsync and `kubectl cp` (many files of a few KiB, in nested directories), random content.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILES_PER_DIRECTORY = 50;

/** Writes `files` files of 256 B to 8 KiB under `root`, 50 to a directory, two levels deep. */
export function writeTree(root: string, files: number): void {
  for (let i = 0; i < files; i++) {
    const directory = join(root, `d${Math.floor(i / (FILES_PER_DIRECTORY * 10))}`, `s${Math.floor(i / FILES_PER_DIRECTORY) % 10}`);
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, `f${i}.txt`), randomBytes(256 + ((i * 7919) % 7937)));
  }
}
