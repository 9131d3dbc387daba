// Reads the remote script's replies from the exec's stdout: `key=value` lines, ended by an
// `end=` line, except `need-install`, which ends with `environ-bytes=N` and N raw bytes.
// Chunks arrive in any sizes, so the reader is incremental. What comes out of a container is
// hostile until proven otherwise: every line, every reply and the whole conversation are bounded,
// and the work per byte is constant (no re-scanning or re-copying of what was already read).

export type Reply =
  | { status: 'ready'; port: number; hostKey: string; dir: string; user: string; arch: string }
  | { status: 'waiting'; reason: string }
  | { status: 'need-install'; dir: string; arch: string; gzip: boolean; environ: Buffer; view?: { root: string; tools: string; path: string } }
  | { status: 'error'; error: string; message: string; users: string[] };

export class ReplyFormatError extends Error {
  override readonly name = 'ReplyFormatError';
}

/** Bounds far above what the script sends (its longest line is a host key or a user list). */
export const REPLY_LIMITS = {
  lineBytes: 16 * 1024,
  fieldsPerReply: 16,
  /** The exec's environment, which becomes sshd_config's SetEnv line. */
  environBytes: 1024 * 1024,
  /** Everything one exec may answer, waiting notices and retries included. */
  totalBytes: 4 * 1024 * 1024,
};

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
    case 'waiting':
      return { status, reason: fields.get('reason') ?? '' };
    case 'need-install': {
      const reply: Reply = {
        status,
        dir: required(fields, 'dir'),
        arch: required(fields, 'arch'),
        gzip: required(fields, 'gzip') === '1',
        environ: environ ?? Buffer.alloc(0),
      };
      const root = fields.get('view-root');
      if (root !== undefined) {
        // Both go into sshd_config and PATH: plain absolute paths only (tools: a few, `:` between).
        const tools = required(fields, 'view-tools');
        const paths = [root, ...tools.split(':')];
        if (paths.length > 5) throw new ReplyFormatError('too many view paths');
        for (const path of paths) if (!/^\/[A-Za-z0-9/._+-]{1,200}$/.test(path)) throw new ReplyFormatError(`bad view path "${path.slice(0, 80)}"`);
        // The target's PATH, as the script checked it: absolute directories only, maybe none.
        const path = fields.get('view-path') ?? '';
        if (path.length > 4096 || (path !== '' && !path.split(':').every((entry) => /^\/[A-Za-z0-9/._+-]{0,200}$/.test(entry)))) {
          throw new ReplyFormatError(`bad view PATH "${path.slice(0, 80)}"`);
        }
        reply.view = { root, tools, path };
      }
      return reply;
    }
    case 'error':
      return {
        status,
        error: required(fields, 'error'),
        message: fields.get('message') ?? '',
        users: (fields.get('users') ?? '').split(' ').filter(Boolean),
      };
    default:
      throw new ReplyFormatError(`unknown status "${status.slice(0, 40)}"`);
  }
}

export class ReplyReader {
  /** The start of an unfinished line, or the environment bytes received so far. */
  private partial: Buffer[] = [];
  private partialLength = 0;
  private total = 0;
  private fields = new Map<string, string>();
  private rawWanted: number | undefined;
  private readonly replies: Reply[] = [];

  /** Feeds stdout bytes; returns the replies completed by them. */
  push(chunk: Buffer): Reply[] {
    this.total += chunk.length;
    if (this.total > REPLY_LIMITS.totalBytes) throw new ReplyFormatError(`more than ${REPLY_LIMITS.totalBytes} bytes of replies`);
    let rest = chunk;
    while (rest.length > 0) {
      if (this.rawWanted !== undefined) {
        const take = Math.min(rest.length, this.rawWanted - this.partialLength);
        this.keep(rest.subarray(0, take));
        rest = rest.subarray(take);
        if (this.partialLength === this.rawWanted) {
          this.rawWanted = undefined;
          this.finish(this.takePartial());
        }
        continue;
      }
      const newline = rest.indexOf(0x0a);
      if (newline < 0) {
        if (this.partialLength + rest.length > REPLY_LIMITS.lineBytes) throw new ReplyFormatError(`a reply line longer than ${REPLY_LIMITS.lineBytes} bytes`);
        this.keep(rest);
        break;
      }
      if (this.partialLength + newline > REPLY_LIMITS.lineBytes) throw new ReplyFormatError(`a reply line longer than ${REPLY_LIMITS.lineBytes} bytes`);
      this.keep(rest.subarray(0, newline));
      rest = rest.subarray(newline + 1);
      this.takeLine(this.takePartial().toString('utf8'));
    }
    return this.replies.splice(0);
  }

  /** Bytes received after the last complete reply (there should be none at the end). */
  leftover(): Buffer {
    return Buffer.concat(this.partial);
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.partial.push(bytes);
    this.partialLength += bytes.length;
  }

  private takePartial(): Buffer {
    const joined = this.partial.length === 1 ? (this.partial[0] as Buffer) : Buffer.concat(this.partial, this.partialLength);
    this.partial = [];
    this.partialLength = 0;
    return joined;
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
      if (!Number.isInteger(bytes) || bytes < 0) throw new ReplyFormatError(`bad environ-bytes "${value.slice(0, 40)}"`);
      if (bytes > REPLY_LIMITS.environBytes) throw new ReplyFormatError(`an environment of ${bytes} bytes (at most ${REPLY_LIMITS.environBytes})`);
      if (bytes === 0) this.finish(Buffer.alloc(0));
      else this.rawWanted = bytes;
    } else {
      if (!this.fields.has(key) && this.fields.size >= REPLY_LIMITS.fieldsPerReply) throw new ReplyFormatError(`more than ${REPLY_LIMITS.fieldsPerReply} fields in one reply`);
      this.fields.set(key, value);
    }
  }

  private finish(environ?: Buffer): void {
    const fields = this.fields;
    this.fields = new Map();
    this.replies.push(toReply(fields, environ));
  }
}
