// One audit record as one line of JSON, for every server sshpod runs (gateway, web). Strings are
// bounded so that a hostile client cannot make a line huge; JSON escapes every control character,
// so nothing a client sends can start a line of its own. What goes in is chosen by the caller,
// field by field — never a key, a token or a byte of a session.
export type AuditValue = string | number | boolean | undefined;

const MAX_STRING = 1024;

export function auditLine(event: Readonly<Record<string, AuditValue>>, now = new Date()): string {
  const record: Record<string, string | number | boolean> = { time: now.toISOString() };
  for (const [key, value] of Object.entries(event)) {
    if (value === undefined) continue;
    record[key] = typeof value === 'string' && value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  }
  return `${JSON.stringify(record)}\n`;
}
