// A throw-away sshd from a bundle, run the way sshpod runs it in a container: daemon mode on
// 127.0.0.1, a config file passed with -f, a log passed with -E, public keys only, and the
// two sshpod variables (SSHPOD_PRIVSEP_DIR, SSHPOD_PASSWD) in its environment. Clients are the
// machine's real OpenSSH ssh and sftp. Everything lives in one temp dir that cleanup() removes,
// after stopping every sshd started from it.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Arch, unpackSshd } from './bundle.ts';

/** Upper bound for one child process; qemu-user makes arm64 slow, but nothing should hang. */
const processTimeoutMs = 120_000;
/** The known_hosts alias of the test host key, so host keys are verified for any port or proxy. */
const hostAlias = 'sshpod-test';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface StartOptions {
  /** Extra sshd_config lines (the base config is pubkey-only, internal-sftp, StrictModes no). */
  config?: string[];
  /** Environment for sshd on top of PATH (e.g. SSHPOD_PRIVSEP_DIR, SSHPOD_PASSWD). */
  env?: Record<string, string>;
  /** Runs sshd through another program, e.g. setpriv or unshare; sshd's argv is appended. */
  wrapper?: string[];
  /**
   * As sshpod runs it: from `dir` (which holds sshd, its config, keys and log), every file named
   * /proc/self/cwd/<name>. The scratch's own files are copied there first.
   */
  installDir?: string;
}

export interface RunningSshd {
  port: number;
  pid: number;
}

function result(r: SpawnSyncReturns<string>): RunResult {
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): RunResult {
  return result(spawnSync(cmd, args, { encoding: 'utf8', timeout: processTimeoutMs, ...opts }));
}

function mustRun(cmd: string, args: string[]): void {
  const r = run(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  // A zombie is as good as gone: whoever adopted the daemon reaps it, not us.
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/**
 * A wrapper (for StartOptions.wrapper) that runs sshd in a private mount namespace after
 * `setup`, a shell script that sees `args` as $1, $2, ... Whatever it mounts is seen only by
 * that sshd and its sessions, and goes away with them.
 */
export function inPrivateMountNamespace(setup: string, ...args: string[]): string[] {
  const script = `${setup}\nshift ${args.length}\nexec "$@"`;
  return ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-ec', script, 'sshpod-test-ns', ...args];
}

/** A wrapper that runs sshd as uid:gid with no supplementary groups, as a non-root container does. */
export function asUser(uid: number, gid: number): string[] {
  return ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups'];
}

export class SshdScratch {
  readonly dir: string;
  readonly sshd: string;
  readonly hostKey: string;
  readonly userKey: string;
  readonly authorizedKeys: string;
  readonly knownHosts: string;
  readonly log: string;
  readonly pidFile: string;
  /** An empty root-owned 0755 directory for privilege separation, as sshpod creates. */
  readonly privsepDir: string;
  private readonly pids = new Set<number>();

  constructor(readonly arch: Arch) {
    this.dir = mkdtempSync(join(tmpdir(), `sshpod-bundle-${arch}-`));
    // Users other than root read files here: the privsep user, a non-root sshd, login users.
    chmodSync(this.dir, 0o755);
    this.sshd = unpackSshd(arch, join(this.dir, 'sshd'));
    this.hostKey = join(this.dir, 'host_ed25519');
    this.userKey = join(this.dir, 'user_ed25519');
    this.authorizedKeys = join(this.dir, 'authorized_keys');
    this.knownHosts = join(this.dir, 'known_hosts');
    this.log = join(this.dir, 'sshd.log');
    this.pidFile = join(this.dir, 'sshd.pid');
    this.privsepDir = join(this.dir, 'empty');
    mkdirSync(this.privsepDir, { mode: 0o755 });
    writeFileSync(this.log, ''); // created now, so chownAll() hands it over too
    mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'sshpod-test-host', '-f', this.hostKey]);
    mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'sshpod-test-user', '-f', this.userKey]);
    writeFileSync(this.authorizedKeys, readFileSync(`${this.userKey}.pub`), { mode: 0o644 });
    writeFileSync(this.knownHosts, `${hostAlias} ${readFileSync(`${this.hostKey}.pub`, 'utf8')}`);
  }

  /** Writes sshd_config (base lines plus `extra`) and returns its path. */
  writeConfig(extra: string[] = [], name = 'sshd_config', installDir?: string): string {
    const path = join(installDir ?? this.dir, name);
    const file = (own: string): string => (installDir ? `/proc/self/cwd/${basename(own)}` : own);
    const lines = [
      `HostKey ${file(this.hostKey)}`,
      `AuthorizedKeysFile ${file(this.authorizedKeys)}`,
      `PidFile ${file(this.pidFile)}`,
      'ListenAddress 127.0.0.1',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      // The config and keys live under world-writable /tmp, as sshpod's do in a container.
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      ...extra,
    ];
    writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o644 });
    return path;
  }

  /** Gives the scratch dir to `uid`, so an sshd running as that user can read and write it. */
  chownAll(uid: number, gid: number): void {
    for (const name of ['', ...readdirSync(this.dir)]) chownSync(join(this.dir, name), uid, gid);
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...extra };
  }

  /** `sshd -t`: checks a config without starting. */
  test(configPath: string, env: Record<string, string> = {}): RunResult {
    return run(this.sshd, ['-t', '-f', configPath], { env: this.env(env) });
  }

  /**
   * Starts sshd as a daemon the way sshpod does: the foreground process exits 0 once it listens
   * (non-zero before daemonising if it cannot), the daemon writes its pid file. Random ports
   * are retried on collision, as sshpod retries.
   */
  async start(opts: StartOptions = {}): Promise<RunningSshd> {
    if (opts.installDir) {
      mkdirSync(join(opts.installDir, 'empty'), { recursive: true, mode: 0o755 });
      for (const own of [this.sshd, this.hostKey, this.authorizedKeys]) copyFileSync(own, join(opts.installDir, basename(own)));
    }
    const configPath = this.writeConfig(opts.config, 'sshd_config', opts.installDir);
    for (let attempt = 1; ; attempt++) {
      const port = randomInt(20_000, 60_000);
      const r = this.spawnDaemon(configPath, port, opts);
      if (r.status === 0) return { port, pid: await this.waitForPid(opts.installDir && join(opts.installDir, 'sshd.pid')) };
      const log = this.readLog();
      // musl words EADDRINUSE "Address in use", glibc "Address already in use".
      if (attempt < 5 && /Address (already )?in use/.test(log)) continue;
      throw new Error(`sshd exited with status ${r.status}:\n${log}${r.stderr}`);
    }
  }

  /** One daemon start without retries; returns how the foreground process ended. */
  spawnDaemon(configPath: string, port: number, opts: StartOptions = {}): RunResult {
    writeFileSync(this.log, '');
    rmSync(this.pidFile, { force: true });
    const argv = opts.installDir
      ? ['/proc/self/cwd/sshd', '-f', '/proc/self/cwd/sshd_config', '-p', String(port), '-E', '/proc/self/cwd/sshd.log']
      : [this.sshd, '-f', configPath, '-p', String(port), '-E', this.log];
    const [cmd, ...args] = [...(opts.wrapper ?? []), ...argv] as [string, ...string[]];
    return run(cmd, args, { env: this.env(opts.env), cwd: opts.installDir });
  }

  readLog(installDir?: string): string {
    try {
      return readFileSync(installDir ? join(installDir, 'sshd.log') : this.log, 'utf8');
    } catch {
      return '';
    }
  }

  /** Waits for the daemon's pid file and remembers the pid, so that cleanup() stops it. */
  async waitForPid(pidFile = this.pidFile): Promise<number> {
    // The daemon writes its pid file right after it listens, just after the starting process
    // has exited; poll for it (bounded).
    for (let i = 0; i < 600; i++) {
      let text = '';
      try {
        text = readFileSync(pidFile, 'utf8');
      } catch {
        // not written yet
      }
      if (/^\d+\n$/.test(text)) {
        const pid = Number(text.trim());
        this.pids.add(pid);
        return pid;
      }
      await sleep(100);
    }
    throw new Error(`sshd wrote no pid file ${pidFile}:\n${this.readLog()}`);
  }

  async stop(pid: number): Promise<void> {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    for (let i = 0; i < 600 && !isGone(pid); i++) await sleep(100);
    if (!isGone(pid)) process.kill(pid, 'SIGKILL');
    this.pids.delete(pid);
  }

  private clientOptions(identity = this.userKey): string[] {
    return [
      '-F', '/dev/null',
      '-i', identity,
      '-o', 'IdentitiesOnly=yes',
      '-o', 'BatchMode=yes',
      '-o', `HostKeyAlias=${hostAlias}`,
      '-o', `UserKnownHostsFile=${this.knownHosts}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'LogLevel=ERROR',
    ];
  }

  /** Whether sshd `pid` has exited (or is a zombie nobody reaped yet). */
  gone(pid: number): boolean {
    return isGone(pid);
  }

  /** Runs `command` through a real ssh session; `clientOptions` go before the destination. */
  ssh(port: number | null, user: string, command: string, clientOptions: string[] = [], identity?: string): RunResult {
    const where = port === null ? [] : ['-p', String(port)];
    return run('ssh', [...this.clientOptions(identity), ...where, ...clientOptions, `${user}@127.0.0.1`, command]);
  }

  /** Copies files with scp, which speaks SFTP to the server since OpenSSH 9.0. */
  scp(port: number, from: string, to: string): RunResult {
    return run('scp', [...this.clientOptions(), '-P', String(port), from, to]);
  }

  /** Makes another user key pair and authorizes it; returns the private key's path. */
  addUserKey(type: 'ed25519' | 'rsa' | 'ecdsa', name: string): string {
    const key = join(this.dir, name);
    mustRun('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', key]);
    writeFileSync(this.authorizedKeys, readFileSync(`${key}.pub`), { flag: 'a' });
    return key;
  }

  /** Runs an sftp batch file (`sftp -b`) against the server. */
  sftp(port: number, user: string, batch: string): RunResult {
    const batchFile = join(this.dir, 'sftp-batch');
    writeFileSync(batchFile, batch);
    return run('sftp', [...this.clientOptions(), '-P', String(port), '-b', batchFile, `${user}@127.0.0.1`]);
  }

  async cleanup(): Promise<void> {
    for (const pid of [...this.pids]) await this.stop(pid);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
