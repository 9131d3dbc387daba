// Shared by every suite that runs the test cluster or its parts: whether they can run here, and
// waiting for what becomes true on its own.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { StatusError } from './api/status.ts';

/** Why the cluster suites cannot run here, or undefined when they can. */
export function clusterSkipReason(): string | undefined {
  if (process.env.SSHPOD_UNIT_ONLY === '1') return 'unit tests only (npm run test:unit)';
  if (process.platform !== 'linux') return `the test cluster needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'the test cluster needs root';
  return undefined;
}

/** Waits for a condition that becomes true on its own (a server starting, a process dying). */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  for (const start = Date.now(); Date.now() - start < timeoutMs; await sleep(20)) {
    if (await check()) return;
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
}

/** The Status a call into the API's pure parts refused with (the test fails if it did not refuse). */
export function statusOf(fn: () => unknown): { code: number; reason?: string; message?: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof StatusError) return error.status;
    throw error;
  }
  assert.fail('expected a Status error');
}
