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
