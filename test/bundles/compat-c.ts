// Compiles one of the sshd bundle's compat files (bundles/compat) with a check program, as the
// bundle build does: musl-gcc, static. Used by the contract tests of the allocation helpers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why the checks cannot run here (outside CI only), or false. */
export function skipWithoutMusl(): string | false {
  if (process.env.CI === 'true') return false;
  const found = spawnSync('musl-gcc', ['--version'], { stdio: 'ignore' });
  return found.status === 0 ? false : 'musl-gcc is missing (scripts/install-host-deps.sh installs musl-tools)';
}

/** Builds `compat/<name>.c` with `fixtures/<check>` and runs it: status and output. */
export function runCompatCheck(name: string, check: string, ldflags: string[] = []): { status: number | null; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-compat-'));
  try {
    const binary = join(dir, 'check');
    const source = new URL(`../../bundles/compat/${name}.c`, import.meta.url).pathname;
    const fixture = new URL(`./fixtures/${check}`, import.meta.url).pathname;
    const built = spawnSync('musl-gcc', ['-static', '-O2', '-Wall', '-Wextra', '-Werror', '-o', binary, source, fixture, ...ldflags], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`musl-gcc failed: ${built.stderr}`);
    const ran = spawnSync(binary, { encoding: 'utf8' });
    return { status: ran.status, stdout: ran.stdout + ran.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
