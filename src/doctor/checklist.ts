// What `sshpod doctor` prints: one line per check, ✔ or ✘, a hint under each ✘, and notes (·)
// that are worth knowing but pass or fail nothing. Pure: checks produce items, this renders them.
import { printable } from '../text/printable.ts';

export interface Check {
  ok: boolean;
  title: string;
  /** What to do; every failed check has one. */
  hint?: string;
}

export interface Note {
  note: string;
}

export type Item = Check | Note;

export function passed(title: string): Check {
  return { ok: true, title };
}

export function failed(title: string, hint: string): Check {
  return { ok: false, title, hint };
}

export function isCheck(item: Item): item is Check {
  return 'ok' in item;
}

export function allPassed(items: Item[]): boolean {
  return items.filter(isCheck).every((check) => check.ok);
}

/** Texts quote files, clusters and other programs: escaped like every message. */
export function renderChecklist(items: Item[]): string[] {
  const lines: string[] = [];
  for (const item of items) {
    if (!isCheck(item)) {
      lines.push(...item.note.split('\n').map((line, index) => `${index === 0 ? '·' : ' '} ${printable(line)}`));
      continue;
    }
    lines.push(`${item.ok ? '✔' : '✘'} ${printable(item.title)}`);
    if (!item.ok && item.hint) lines.push(`  hint: ${printable(item.hint)}`);
  }
  return lines;
}

export function summary(items: Item[]): string {
  const checks = items.filter(isCheck);
  const failures = checks.filter((check) => !check.ok).length;
  const total = `${checks.length} check${checks.length === 1 ? '' : 's'}`;
  return failures === 0 ? `sshpod: ${checks.length === 1 ? 'the' : 'all'} ${total} passed` : `sshpod: ${failures} of ${total} failed`;
}
