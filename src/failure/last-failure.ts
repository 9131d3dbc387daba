// The record of the last connection that failed, in ~/.cache/sshpod/last-failure.json: when, to
// which hostname, the lines the person was (or should have been) told, how they were told, and the
// timeline of that run. `sshpod last-error` and `sshpod doctor` read it; it is the one place a
// message survives when ssh was run with -q, or a mid-session failure had no one to tell.
// Private (0600, written whole or not at all); only the last failure is kept.
import { join } from 'node:path';
import type { SshpodPaths } from '../ssh/paths.ts';
import { readTextIfExists, writePrivateFile } from '../local-file.ts';
import { printable } from '../text/printable.ts';
import type { Delivery } from './situation.ts';

export interface FailureRecord {
  /** ISO 8601. */
  time: string;
  host: string;
  user?: string;
  /** `sshpod: …` and `hint: …`, as formatErrorForUser made them. */
  lines: string[];
  exitCode: number;
  delivery: Delivery;
  /** Every log line of the failed run, with milliseconds since its start. */
  timeline: string[];
}

export function lastFailureFile(paths: SshpodPaths): string {
  return join(paths.cacheDir, 'last-failure.json');
}

export function saveLastFailure(paths: SshpodPaths, record: FailureRecord): void {
  writePrivateFile(lastFailureFile(paths), `${JSON.stringify(record, null, 2)}\n`);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isFailureRecord(value: unknown): value is FailureRecord {
  const v = value as Partial<FailureRecord> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.time === 'string' &&
    typeof v.host === 'string' &&
    (v.user === undefined || typeof v.user === 'string') &&
    isStringArray(v.lines) &&
    typeof v.exitCode === 'number' &&
    typeof v.delivery === 'string' &&
    isStringArray(v.timeline)
  );
}

/** The record, or undefined when there is none or it is not one (a damaged file is no news). */
export function readLastFailure(paths: SshpodPaths): FailureRecord | undefined {
  let text: string | undefined;
  try {
    text = readTextIfExists(lastFailureFile(paths));
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isFailureRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** "3 minutes ago", for a time in the past. */
export function ago(time: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(time)) / 1000));
  if (!Number.isFinite(seconds)) return 'at an unknown time';
  const [amount, unit] =
    seconds < 60 ? [seconds, 'second'] : seconds < 3600 ? [Math.floor(seconds / 60), 'minute'] : seconds < 86_400 ? [Math.floor(seconds / 3600), 'hour'] : [Math.floor(seconds / 86_400), 'day'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'} ago`;
}

const DELIVERED: Record<Delivery, string> = {
  stderr: 'printed on stderr',
  ssh: 'shown by ssh',
  nowhere: 'shown nowhere (ssh had sent stderr to /dev/null and the session had started)',
};

/** What `sshpod last-error` prints. Everything in the record came from a file: printed escaped. */
export function renderLastFailure(record: FailureRecord, now: number, withTimeline: boolean): string[] {
  const who = record.user ? `${record.user}@${record.host}` : record.host;
  const out = [`last failure: ${printable(who)}, ${ago(record.time, now)} (${printable(record.time)}), ${DELIVERED[record.delivery] ?? printable(record.delivery)}`, ...record.lines.map(printable)];
  if (withTimeline) out.push('timeline (milliseconds since that sshpod started):', ...record.timeline.flatMap((line) => line.split('\n')).map((line) => `  ${printable(line)}`));
  return out;
}
