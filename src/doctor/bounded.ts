// Doctor's checks talk to clusters that may not answer: each gets a bound, so that the checklist
// always finishes. SSHPOD_TIMEOUT (seconds) is the same knob the connect path uses.
import { timeoutSettingMs } from '../timeout.ts';

export const DOCTOR_STEP_TIMEOUT_MS = 10_000;

export function doctorTimeoutMs(environment: NodeJS.ProcessEnv = process.env): number {
  return timeoutSettingMs(DOCTOR_STEP_TIMEOUT_MS, environment);
}

export class TimedOut extends Error {
  readonly seconds: number;

  constructor(ms: number) {
    super(`no answer within ${ms / 1000} s`);
    this.seconds = ms / 1000;
  }
}

/** The promise's value, or TimedOut after `ms` (the work itself is left to be cleaned up by `onTimeout`). */
export function bounded<T>(work: Promise<T>, ms: number, onTimeout: () => void = () => undefined): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new TimedOut(ms));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Runs `task` over `items` with at most `limit` at a time; results in the items' order. */
export async function inParallel<I, R>(items: I[], limit: number, task: (item: I) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as I);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
