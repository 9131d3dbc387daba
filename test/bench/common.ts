// What both benchmarks (main.ts, cpu.ts) agree on: the transfer size and how their options parse.
import { InvalidArgumentError } from 'commander';

export const MiB = 1024 * 1024;
/** The throughput case: 256 MiB each way. */
export const TRANSFER = 256 * MiB;

export function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function check(result: { code: number | null; stderr: string }, what: string): void {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}): ${result.stderr}`);
}

/** The floor: ssh's ProxyCommand as a plain relay into the pod's network namespace, no sshpod, no Kubernetes. */
export function floorProxy(netns: string, port: string): string {
  return `ProxyCommand=nsenter --net=${netns} socat STDIO TCP4:127.0.0.1:${port}`;
}

/** Run in the pod: a sink on port 7001 and a source of /tmp/payload.bin on 7002 for raw port-forwards. */
export const RAW_ENDPOINTS =
  '(setsid socat -u TCP-LISTEN:7001,reuseaddr,fork OPEN:/dev/null >/dev/null 2>&1 &); (setsid socat -U TCP-LISTEN:7002,reuseaddr,fork OPEN:/tmp/payload.bin >/dev/null 2>&1 &); sleep 0.5';
