// Bench cases for the exec transport beside port-forward (issue 15): per transport, the latency of
// `ssh … true` (cold: a fresh pod; warm: the remembered sshd, no sharing) and the throughput of scp
// up and down, through the block `sshpod configure` wrote. Call from test/bench/main.ts:
//   import { benchExecTransport } from './exec-transport.ts';
//   const rows = await benchExecTransport({ runs: 5, megabytes: 64 });
// Needs root (the local test cluster). Returns medians; prints nothing.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container, pod, startE2E } from '../e2e/harness.ts';

export interface ExecTransportRow {
  transport: 'port-forward' | 'exec';
  coldSeconds: number;
  warmSeconds: number;
  scpUpMiBps: number;
  scpDownMiBps: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export async function benchExecTransport(options: { runs?: number; megabytes?: number } = {}): Promise<ExecTransportRow[]> {
  const runs = options.runs ?? 5;
  const megabytes = options.megabytes ?? 64;
  const transports = ['port-forward', 'exec'] as const;
  const pods = transports.flatMap((t) => Array.from({ length: runs }, (_, i) => pod(`${t}-cold-${i}`, { containers: [container('main', 'debian')] })));
  const e = await startE2E({ objects: [...pods, ...transports.map((t) => pod(`${t}-data`, { containers: [container('main', 'debian')] }))] });
  const work = mkdtempSync(join(tmpdir(), 'sshpod-bench-exec-'));
  try {
    const file = join(work, 'data.bin');
    writeFileSync(file, randomBytes(megabytes * 1024 * 1024));
    const rows: ExecTransportRow[] = [];
    for (const transport of transports) {
      const env = { SSHPOD_TRANSPORT: transport };
      const timed = async (work: () => Promise<{ code: number | null; stderr: string }>): Promise<number> => {
        const started = performance.now();
        const result = await work();
        if (result.code !== 0) throw new Error(`bench (${transport}) failed: ${result.stderr}`);
        return (performance.now() - started) / 1000;
      };
      const cold: number[] = [];
      const warm: number[] = [];
      const up: number[] = [];
      const down: number[] = [];
      for (let i = 0; i < runs; i++) {
        cold.push(await timed(() => e.ssh(`root@pod--${transport}-cold-${i}.sshpod`, ['true'], { env })));
        warm.push(await timed(() => e.ssh(`root@pod--${transport}-cold-${i}.sshpod`, ['true'], { env })));
        up.push(megabytes / (await timed(() => e.scp([file, `root@pod--${transport}-data.sshpod:/tmp/data.bin`], { env }))));
        down.push(megabytes / (await timed(() => e.scp([`root@pod--${transport}-data.sshpod:/tmp/data.bin`, join(work, 'back.bin')], { env }))));
      }
      rows.push({ transport, coldSeconds: median(cold), warmSeconds: median(warm), scpUpMiBps: median(up), scpDownMiBps: median(down) });
    }
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
    await e.stop();
  }
}
