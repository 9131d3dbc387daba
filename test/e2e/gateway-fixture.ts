// A gateway started the way an administrator starts it — the built CLI, `sshpod gateway`, with a
// ServiceAccount's kubeconfig, a users file, a host key, an audit file and a metrics port — and a
// client side the way a team member has it: an ssh config naming the gateway, their own keys, their
// own known_hosts. Used by the gateway e2e suites and the gateway bench.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sshpodBin, type RunOptions, type RunResult } from './harness.ts';
import type { Cluster } from '../cluster/index.ts';

export const GATEWAY_SA = 'system:serviceaccount:default:sshpod-gateway';

export interface AuditRecord {
  event: string;
  [field: string]: unknown;
}

export interface Person {
  name: string;
  key: string;
  publicKey: string;
  /** An ssh config: Host gw (this person at the gateway) and defaults for every host. */
  config: string;
  ssh(args: string[], options?: RunOptions): Promise<RunResult>;
  scp(args: string[], options?: RunOptions): Promise<RunResult>;
  sftp(args: string[], options?: RunOptions): Promise<RunResult>;
}

export interface GatewayFixture {
  dir: string;
  port: number;
  metricsPort: number;
  usersFile: string;
  process: ChildProcess;
  stderr(): string;
  audit(): AuditRecord[];
  metrics(): Promise<string>;
  newKey(name: string): { key: string; publicKey: string };
  person(name: string, key?: { key: string; publicKey: string }): Person;
  writeUsers(yaml: string): void;
  waitForAudit(what: string, check: (record: AuditRecord) => boolean, timeoutMs?: number): Promise<AuditRecord>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startGateway(cluster: Cluster, options: { users: (keys: Record<string, string>) => string; people: string[]; extraArgs?: string[]; templates?: Record<string, string> }): Promise<GatewayFixture & { keys: Record<string, { key: string; publicKey: string }> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-gateway-'));
  chmodSync(dir, 0o700);
  await cluster.addServiceAccount('default', 'sshpod-gateway');
  const kubeconfig = join(dir, 'kubeconfig');
  await cluster.writeKubeconfig(kubeconfig, { contexts: [{ name: 'in-cluster', user: GATEWAY_SA, namespace: 'default' }] });
  const home = join(dir, 'home');
  mkdirSync(join(home, '.config', 'sshpod', 'templates'), { recursive: true });
  for (const [name, text] of Object.entries(options.templates ?? {})) writeFileSync(join(home, '.config', 'sshpod', 'templates', `${name}.yaml`), text);
  const hostKey = join(dir, 'host_key');
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'gateway', '-f', hostKey]);

  const newKey = (name: string): { key: string; publicKey: string } => {
    const key = join(dir, `id_${name}`);
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@laptop`, '-f', key]);
    return { key, publicKey: readFileSync(`${key}.pub`, 'utf8').trim() };
  };
  const keys = Object.fromEntries(options.people.map((name) => [name, newKey(name)]));
  const usersFile = join(dir, 'users.yaml');
  const writeUsers = (yaml: string): void => {
    writeFileSync(`${usersFile}.tmp`, yaml);
    spawnSync('mv', [`${usersFile}.tmp`, usersFile]);
  };
  writeUsers(options.users(Object.fromEntries(Object.entries(keys).map(([name, pair]) => [name, pair.publicKey]))));
  const auditFile = join(dir, 'audit.log');

  let stderr = '';
  const child = spawn(
    process.execPath,
    [sshpodBin, 'gateway', '--users', usersFile, '--listen', '127.0.0.1:0', '--host-key', hostKey, '--audit', auditFile, '--metrics', '127.0.0.1:0', '--reload', '1', ...(options.extraArgs ?? [])],
    { env: { HOME: home, PATH: process.env['PATH'] ?? '/usr/bin:/bin', KUBECONFIG: kubeconfig, LANG: 'C.UTF-8' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', () => undefined);
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const audit = (): AuditRecord[] => {
    let text = '';
    try {
      text = readFileSync(auditFile, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as AuditRecord);
  };
  const waitForAudit = async (what: string, check: (record: AuditRecord) => boolean, timeoutMs = 30_000): Promise<AuditRecord> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = audit().find(check);
      if (found) return found;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no audit record for ${what}; gateway stderr: ${stderr}\naudit: ${JSON.stringify(audit())}`);
      await pause(50);
    }
  };
  let listening: AuditRecord;
  try {
    listening = await waitForAudit('listening', (r) => r.event === 'listening');
  } catch (error) {
    // A gateway that did not start leaves nothing behind either.
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const port = Number(String(listening['address']).split(':').pop());
  const metricsPort = Number(String(listening['metrics']).split(':').pop());
  const knownHosts = join(dir, 'known_hosts');

  const person = (name: string, pair = keys[name] as { key: string; publicKey: string }): Person => {
    const config = join(dir, `ssh_config_${name}_${pair.key.split('/').pop()}`);
    writeFileSync(
      config,
      [
        'Host gw',
        '  HostName 127.0.0.1',
        `  Port ${port}`,
        `  User ${name}`,
        // ssh's default log level, where it prints why the gateway refused a jump.
        '  LogLevel INFO',
        'Host *',
        `  IdentityFile ${pair.key}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHosts}`,
        '  StrictHostKeyChecking accept-new',
        '  BatchMode yes',
        '  LogLevel ERROR',
        '  ControlMaster no',
        '',
      ].join('\n'),
    );
    const env = { HOME: dir, PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
    const withEnv = (o: RunOptions = {}): RunOptions => ({ ...o, env: { ...env, ...o.env } });
    return {
      name,
      ...pair,
      config,
      ssh: (args, o) => run('ssh', ['-F', config, ...args], withEnv(o)),
      scp: (args, o) => run('scp', ['-F', config, ...args], withEnv(o)),
      sftp: (args, o) => run('sftp', ['-F', config, ...args], withEnv(o)),
    };
  };

  return {
    dir,
    port,
    metricsPort,
    usersFile,
    process: child,
    keys,
    stderr: () => stderr,
    audit,
    metrics: async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
    newKey,
    person,
    writeUsers,
    waitForAudit,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) {
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        child.kill(signal);
        const code = await Promise.race([exited, pause(60_000).then(() => undefined)]);
        if (code === undefined) child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        return code ?? null;
      }
      rmSync(dir, { recursive: true, force: true });
      return child.exitCode;
    },
  };
}
