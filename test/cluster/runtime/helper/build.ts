// Compiles the nsexec helper once per source version into the image cache: every process the
// runtime starts goes through it, so it must exist before the first pod.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sources = ['nsexec.c', 'nsexec.h', 'relay.c', 'relay.h', 'tty.c'].map((f) => new URL(f, import.meta.url).pathname);

/** Returns the path of the compiled helper, compiling it if this source version has none yet. */
export async function buildHelper(cacheDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of sources) hash.update(await readFile(file));
  const binary = join(cacheDir, 'bin', `nsexec-${hash.digest('hex').slice(0, 12)}`);
  if (await exists(binary)) return binary;
  await mkdir(join(cacheDir, 'bin'), { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  try {
    const cFiles = sources.filter((f) => f.endsWith('.c'));
    await run('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', partial, ...cFiles]);
    await rename(partial, binary); // atomic: a concurrent build of the same version is harmless
  } catch (error) {
    await rm(partial, { force: true });
    throw new Error(`cannot compile the runtime's nsexec helper (is gcc installed? run scripts/install-host-deps.sh): ${String(error)}`, { cause: error });
  }
  return binary;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
