// Builds the root filesystems of the images that are not the host's own root, from Debian
// packages: busybox-static (host's, and arm64's from the archive), Debian's dynamically linked
// busybox for `minimal` (its shell does not run applets that have no link), and a static
// sleeper for `distroless`.
import { execFile } from 'node:child_process';
import { chmod, copyFile, link, mkdir, open, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { ImageName } from '../types.ts';
import type { Skeleton } from './skeleton.ts';
import { archiveApplets, busyboxSkeleton, distrolessSkeleton, parseLdd } from './skeleton.ts';

const run = promisify(execFile);

export type BuiltImageName = Exclude<ImageName, 'debian'>;

export async function buildRootfs(name: BuiltImageName, rootfs: string, work: string): Promise<void> {
  switch (name) {
    case 'busybox':
      return buildBusybox(rootfs, await staticBusybox('/bin/busybox'), () => true);
    case 'arm64':
      return buildBusybox(rootfs, await staticBusybox(await fromDeb('busybox-static:arm64', 'bin/busybox', work)), () => true);
    case 'minimal':
      return buildMinimal(rootfs, work);
    case 'distroless':
      return buildDistroless(rootfs);
  }
}

async function buildBusybox(rootfs: string, busybox: string, keep: (applet: string) => boolean): Promise<void> {
  await writeSkeleton(rootfs, busyboxSkeleton);
  const target = join(rootfs, 'bin/busybox');
  await copyFile(busybox, target);
  await chmod(target, 0o755);
  // Runs the arm64 binary too: qemu-aarch64 is registered in binfmt_misc.
  const { stdout } = await run(target, ['--list']);
  for (const applet of stdout.split('\n').filter(Boolean)) {
    if (applet !== 'busybox' && keep(applet)) await link(target, join(rootfs, 'bin', applet));
  }
}

async function buildMinimal(rootfs: string, work: string): Promise<void> {
  const busybox = await fromDeb('busybox', 'bin/busybox', work);
  await buildBusybox(rootfs, busybox, (applet) => !archiveApplets.has(applet));
  const { stdout } = await run('ldd', [busybox]);
  for (const library of parseLdd(stdout)) {
    await mkdir(join(rootfs, dirname(library)), { recursive: true });
    await copyFile(library, join(rootfs, library));
  }
}

async function buildDistroless(rootfs: string): Promise<void> {
  await writeSkeleton(rootfs, distrolessSkeleton);
  await run('chown', ['65532:65532', join(rootfs, 'home/nonroot')]);
  const source = new URL('sleeper.c', import.meta.url).pathname;
  await run('gcc', ['-static', '-O2', '-s', '-o', join(rootfs, 'sleeper'), source]).catch((error: unknown) => {
    throw new Error(`cannot compile the distroless sleeper with 'gcc -static' (needs gcc and libc6-dev: run scripts/install-host-deps.sh): ${String(error)}`, { cause: error });
  });
}

async function writeSkeleton(rootfs: string, skeleton: Skeleton): Promise<void> {
  for (const dir of skeleton.dirs) {
    await mkdir(join(rootfs, dir.path), { recursive: true });
    await chmod(join(rootfs, dir.path), dir.mode); // mkdir's mode is filtered by the umask
  }
  for (const [path, content] of Object.entries(skeleton.files)) await writeFile(join(rootfs, path), content);
}

/** Downloads a package from the Debian archive and returns the path of one of its files. */
async function fromDeb(pkg: string, file: string, work: string): Promise<string> {
  const dir = join(work, pkg.replace(/[^a-z0-9.-]/g, '_'));
  await mkdir(dir, { recursive: true });
  try {
    // apt's download sandbox user cannot write into a root-owned work directory.
    await run('apt-get', ['download', '-q', '-o', 'APT::Sandbox::User=root', pkg], { cwd: dir });
  } catch (error) {
    throw new Error(
      `cannot download ${pkg} from the Debian archive to build a test image (run scripts/install-host-deps.sh as root; it adds the arm64 architecture): ${String(error)}`,
      { cause: error },
    );
  }
  const deb = (await readdir(dir)).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${dir}`);
  await run('dpkg-deb', ['-x', join(dir, deb), join(dir, 'root')]);
  return join(dir, 'root', file);
}

/** Fails early, with a reason, when the host's busybox is Debian's dynamic one. */
async function staticBusybox(path: string): Promise<string> {
  if (await hasInterpreter(path)) {
    throw new Error(`${path} is dynamically linked; the busybox images need busybox-static (run scripts/install-host-deps.sh)`);
  }
  return path;
}

/** True when an ELF64 file names a program interpreter (PT_INTERP), i.e. is not static. */
async function hasInterpreter(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const header = Buffer.alloc(64);
    await file.read(header, 0, 64, 0);
    const phoff = Number(header.readBigUInt64LE(0x20));
    const phentsize = header.readUInt16LE(0x36);
    const phnum = header.readUInt16LE(0x38);
    const table = Buffer.alloc(phentsize * phnum);
    await file.read(table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === 3 /* PT_INTERP */) return true;
    return false;
  } finally {
    await file.close();
  }
}
