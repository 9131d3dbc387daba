// Reads the remote script's replies from the exec's stdout: `key=value` lines, ended by an
// `end=` line, except `need-install`, which ends with `environ-bytes=N` and N raw bytes.
// Chunks arrive in any sizes, so the reader is incremental.

export type Reply =
  | { status: 'ready'; port: number; hostKey: string; dir: string; user: string; arch: string }
  | { status: 'need-install'; dir: string; arch: string; gzip: boolean; environ: Buffer }
  | { status: 'error'; error: string; message: string; users: string[] };

export class ReplyFormatError extends Error {
  override readonly name = 'ReplyFormatError';
}

function required(fields: Map<string, string>, key: string): string {
  const value = fields.get(key);
  if (value === undefined) throw new ReplyFormatError(`the reply has no ${key}=`);
  return value;
}

function toReply(fields: Map<string, string>, environ?: Buffer): Reply {
  const status = required(fields, 'status');
  switch (status) {
    case 'ready': {
      const port = Number(required(fields, 'port'));
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ReplyFormatError(`bad port "${fields.get('port')}"`);
      return { status, port, hostKey: required(fields, 'hostkey'), dir: required(fields, 'dir'), user: required(fields, 'user'), arch: required(fields, 'arch') };
    }
    case 'need-install':
      return {
        status,
        dir: required(fields, 'dir'),
        arch: required(fields, 'arch'),
        gzip: required(fields, 'gzip') === '1',
        environ: environ ?? Buffer.alloc(0),
      };
    case 'error':
      return {
        status,
        error: required(fields, 'error'),
        message: fields.get('message') ?? '',
        users: (fields.get('users') ?? '').split(' ').filter(Boolean),
      };
    default:
      throw new ReplyFormatError(`unknown status "${status}"`);
  }
}

export class ReplyReader {
  private pending: Buffer = Buffer.alloc(0);
  private fields = new Map<string, string>();
  private rawWanted: number | undefined;
  private readonly replies: Reply[] = [];

  /** Feeds stdout bytes; returns the replies completed by them. */
  push(chunk: Buffer): Reply[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.rawWanted !== undefined) {
        if (this.pending.length < this.rawWanted) break;
        const environ = this.pending.subarray(0, this.rawWanted);
        this.pending = this.pending.subarray(this.rawWanted);
        this.rawWanted = undefined;
        this.finish(environ);
        continue;
      }
      const newline = this.pending.indexOf(0x0a);
      if (newline < 0) break;
      const line = this.pending.subarray(0, newline).toString('utf8');
      this.pending = this.pending.subarray(newline + 1);
      this.takeLine(line);
    }
    return this.replies.splice(0);
  }

  /** Bytes received after the last complete reply (there should be none at the end). */
  leftover(): Buffer {
    return this.pending;
  }

  private takeLine(line: string): void {
    const equals = line.indexOf('=');
    if (equals <= 0) throw new ReplyFormatError(`unexpected line "${line.slice(0, 80)}"`);
    const key = line.slice(0, equals);
    const value = line.slice(equals + 1);
    if (key === 'end') {
      this.finish();
    } else if (key === 'environ-bytes') {
      const bytes = Number(value);
      if (!Number.isInteger(bytes) || bytes < 0) throw new ReplyFormatError(`bad environ-bytes "${value}"`);
      this.rawWanted = bytes;
    } else {
      this.fields.set(key, value);
    }
  }

  private finish(environ?: Buffer): void {
    const fields = this.fields;
    this.fields = new Map();
    this.replies.push(toReply(fields, environ));
  }
}
