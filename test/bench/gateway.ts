// Bench cases for `sshpod gateway` (issue 14), on loopback against the local test cluster, with the
// real OpenSSH client through a gateway started as an administrator starts it (the built CLI):
//  - load: `sessions` concurrent jump sessions (`ssh -J alice@gw root@pod--….sshpod`, each holding a
//    command open) through one gateway process — all must succeed; the gateway's resident memory
//    before (after a few warm connections only) and with them gives memory per session;
//  - transfers: `transfers` concurrent scp uploads and downloads through the gateway, each file's
//    SHA-256 checked on both sides;
//  - latency: `ssh … true` through the gateway (warm: the gateway remembers the pod's sshd) against
//    the direct ProxyCommand of the block `sshpod configure` wrote (warm too); the difference is
//    what the gateway adds.
// Bounded in count and time (every step has a deadline); throws when a session or a checksum
// fails. Call from test/bench/main.ts:
//   import { benchGateway } from './gateway.ts';
//   const row = await benchGateway({ sessions: 200, transfers: 20, megabytes: 16, runs: 9 });
// test/e2e/gateway-load.test.ts runs it for correctness only (no figure is asserted).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { container, pod, startE2E } from '../e2e/harness.ts';
import { GATEWAY_SA, startGateway, type Person } from '../e2e/gateway-fixture.ts';

export interface GatewayBenchOptions {
  /** Concurrent jump sessions held through one gateway (default 200). */
  sessions?: number;
  /** Concurrent scp transfers each way (default 20). */
  transfers?: number;
  /** MiB per transferred file (default 16). */
  megabytes?: number;
  /** Timed runs of `ssh … true` per path (default 9; one more, untimed, warms each path). */
  runs?: number;
  /** How many sessions may be connecting at once while the load builds up (default 25). */
  connecting?: number;
}

export interface GatewayBenchResult {
  sessions: number;
  /** The gateway's resident memory (MiB) after a first jump, and with every session open. */
  gatewayRssBeforeMiB: number;
  gatewayRssWithSessionsMiB: number;
  memoryPerSessionKiB: number;
  /** The gateway's peak resident memory over the whole run (the transfers included). */
  gatewayPeakRssMiB: number;
  /** Seconds until every session was open (how long the load took to build, for the record). */
  sessionsOpenSeconds: number;
  transfers: number;
  transferMiB: number;
  /** Seconds for all uploads at once, and all downloads at once. */
  transfersUpSeconds: number;
  transfersDownSeconds: number;
  checksumsEqual: boolean;
  /** Medians of `ssh … true`, warm. */
  directSeconds: number;
  gatewaySeconds: number;
  addedLatencyMs: number;
}

const TARGET = 'root@pod--load.namespace--bench.sshpod';
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** VmRSS (resident now) or VmHWM (the peak) of a process, in MiB. */
function rssMiB(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) / 1024;
}

function check(result: { code: number | null; stderr: string }, what: string): void {
  if (result.code !== 0) throw new Error(`gateway bench: ${what} failed (exit ${result.code}): ${result.stderr.trim()}`);
}

/** One held session: ready once the pod answered, ended by closing its stdin. */
interface Held {
  ready: Promise<void>;
  release(): void;
  kill(): void;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function holdSession(person: Person, home: string, deadlineMs: number): Held {
  const child = spawn('ssh', ['-F', person.config, '-J', 'gw', TARGET, 'echo ready; cat >/dev/null; echo done'], {
    env: { HOME: home, PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdin.on('error', () => undefined);
  const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.startsWith('ready\n')) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    void done.then((result) => reject(new Error(`a held session ended before it was ready (exit ${result.code}): ${result.stderr.trim()}`)));
  });
  ready.catch(() => undefined);
  return { ready, release: () => child.stdin.end(), kill: () => void child.kill('SIGKILL'), done };
}

async function timed(work: () => Promise<{ code: number | null; stderr: string }>, what: string): Promise<number> {
  const started = performance.now();
  check(await work(), what);
  return (performance.now() - started) / 1000;
}

export async function benchGateway(options: GatewayBenchOptions = {}): Promise<GatewayBenchResult> {
  const sessions = options.sessions ?? 200;
  const transfers = options.transfers ?? 20;
  const megabytes = options.megabytes ?? 16;
  const runs = options.runs ?? 9;
  const connecting = options.connecting ?? 25;
  const e = await startE2E({
    objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }, pod('load', { containers: [container('main', 'debian')] }, { namespace: 'bench' })],
  });
  let gw: Awaited<ReturnType<typeof startGateway>> | undefined;
  const held: Held[] = [];
  try {
    e.cluster.deny({ user: GATEWAY_SA });
    e.cluster.allow({ user: GATEWAY_SA, verb: 'impersonate' });
    gw = await startGateway(e.cluster, {
      people: ['alice'],
      users: (keys) => `users:\n  alice:\n    keys: ["${keys['alice']}"]\n`,
      // Room for the load from one address and one person; the defaults would (rightly) refuse it.
      extraArgs: ['--rate', '100000', '--max-unauthenticated', String(Math.max(100, connecting * 2)), '--max-sessions', String(sessions + transfers + 10), '--max-sessions-per-user', String(sessions + transfers + 10)],
    });
    const alice = gw.person('alice');
    const home = gw.dir;

    // Warm both paths (the pod's sshd prepared; the gateway and the ProxyCommand remember it).
    check(await e.ssh(TARGET, ['true']), 'the first direct ssh');
    check(await alice.ssh(['-J', 'gw', TARGET, 'true']), 'the first ssh through the gateway');

    // Latency, alternating the two paths so that both see the same load.
    const direct: number[] = [];
    const through: number[] = [];
    for (let i = 0; i < runs; i++) {
      direct.push(await timed(() => e.ssh(TARGET, ['true']), 'direct ssh'));
      through.push(await timed(() => alice.ssh(['-J', 'gw', TARGET, 'true']), 'ssh through the gateway'));
    }

    // The load: `sessions` held at once, at most `connecting` of them connecting at a time.
    const pid = gw.process.pid as number;
    const gatewayRssBeforeMiB = rssMiB(pid);
    const sessionDeadline = 300_000;
    let started = performance.now();
    let next = 0;
    const opener = async (): Promise<void> => {
      while (next < sessions) {
        next += 1;
        const session = holdSession(alice, home, sessionDeadline + 60_000);
        held.push(session);
        await session.ready;
      }
    };
    await Promise.race([
      Promise.all(Array.from({ length: Math.min(connecting, sessions) }, opener)),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`gateway bench: ${sessions} sessions were not all open within ${sessionDeadline / 1000} s`)), sessionDeadline).unref()),
    ]);
    const sessionsOpenSeconds = (performance.now() - started) / 1000;
    const gatewayRssWithSessionsMiB = rssMiB(pid);
    for (const session of held) session.release();
    const ends = await Promise.all(held.map((session) => session.done));
    const failed = ends.filter((r) => r.code !== 0 || r.stdout !== 'ready\ndone\n');
    if (failed.length > 0) throw new Error(`gateway bench: ${failed.length} of ${sessions} sessions did not end cleanly: ${failed[0]?.stderr.trim()}`);
    held.length = 0;

    // Concurrent scp, each way, every file's checksum compared.
    const files = Array.from({ length: transfers }, (_, i) => {
      const data = randomBytes(megabytes * 1024 * 1024);
      const local = join(home, `up-${i}.bin`);
      writeFileSync(local, data);
      return { local, back: join(home, `down-${i}.bin`), remote: `/tmp/scp-${i}.bin`, sum: sha256(data) };
    });
    const transferDeadline = 60_000 + megabytes * transfers * 1000;
    started = performance.now();
    const ups = await Promise.all(files.map((f) => alice.scp(['-J', 'gw', f.local, `${TARGET}:${f.remote}`], { timeoutMs: transferDeadline })));
    const transfersUpSeconds = (performance.now() - started) / 1000;
    ups.forEach((r, i) => check(r, `scp up #${i}`));
    const remoteSums = await alice.ssh(['-J', 'gw', TARGET, `sha256sum ${files.map((f) => f.remote).join(' ')}`]);
    check(remoteSums, 'sha256sum in the pod');
    started = performance.now();
    const downs = await Promise.all(files.map((f) => alice.scp(['-J', 'gw', `${TARGET}:${f.remote}`, f.back], { timeoutMs: transferDeadline })));
    const transfersDownSeconds = (performance.now() - started) / 1000;
    downs.forEach((r, i) => check(r, `scp down #${i}`));
    const checksumsEqual = files.every((f) => remoteSums.stdout.includes(`${f.sum}  ${f.remote}`) && sha256(readFileSync(f.back)) === f.sum);
    if (!checksumsEqual) throw new Error(`gateway bench: a transferred file's checksum differs:\n${remoteSums.stdout}`);
    check(await alice.ssh(['-J', 'gw', TARGET, 'rm -f /tmp/scp-*.bin']), 'clean-up in the pod');

    return {
      sessions,
      gatewayRssBeforeMiB,
      gatewayRssWithSessionsMiB,
      memoryPerSessionKiB: ((gatewayRssWithSessionsMiB - gatewayRssBeforeMiB) * 1024) / sessions,
      gatewayPeakRssMiB: rssMiB(pid, 'VmHWM'),
      sessionsOpenSeconds,
      transfers,
      transferMiB: megabytes,
      transfersUpSeconds,
      transfersDownSeconds,
      checksumsEqual,
      directSeconds: median(direct),
      gatewaySeconds: median(through),
      addedLatencyMs: (median(through) - median(direct)) * 1000,
    };
  } finally {
    // Only after a failure: whatever is still held goes at once.
    for (const session of held) session.kill();
    await Promise.all(held.map((session) => session.done));
    await gw?.stop();
    await e.stop();
  }
}
