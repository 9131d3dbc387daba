// The audit log: one JSON object per line, to stdout or a file (appended, 0600). What is written is
// chosen field by field — names, addresses, fingerprints, targets, commands, sizes, statuses —
// never a key, a token or a byte of a session. Strings are bounded so that a hostile client cannot
// make a line huge; JSON escapes every control character.
import { createWriteStream, type WriteStream } from 'node:fs';

export type AuditValue = string | number | boolean | undefined;
export type AuditEvent = { event: string } & Record<string, AuditValue>;

const MAX_STRING = 1024;

export function auditLine(event: AuditEvent, now = new Date()): string {
  const record: Record<string, string | number | boolean> = { time: now.toISOString() };
  for (const [key, value] of Object.entries(event)) {
    if (value === undefined) continue;
    record[key] = typeof value === 'string' && value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  }
  return `${JSON.stringify(record)}\n`;
}

export class AuditLog {
  private readonly stream: NodeJS.WritableStream;
  private readonly file: WriteStream | undefined;

  /** `file` undefined or `-`: stdout. */
  constructor(file?: string) {
    if (file === undefined || file === '-') {
      this.stream = process.stdout;
    } else {
      this.file = createWriteStream(file, { flags: 'a', mode: 0o600 });
      this.file.on('error', (error) => process.stderr.write(`sshpod: the audit log ${file} cannot be written: ${error.message}\n`));
      this.stream = this.file;
    }
  }

  write(event: AuditEvent): void {
    this.stream.write(auditLine(event));
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.file ? this.file.end(resolve) : resolve()));
  }
}
