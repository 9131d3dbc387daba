// The smallest answer ssh understands: an identification line and one SSH_MSG_DISCONNECT
// (RFC 4253 §4.2, §6, §11.1), before any key exchange, so in the clear and with no host key.
// OpenSSH prints its description at log level ERROR and above, whatever the state of the
// connection ("Received disconnect from UNKNOWN port 65535:11: <description>"), but at most 400
// bytes of it and with anything but printable ASCII, tab and newline escaped. sshpod uses it when
// it cannot answer as a full server (answer-ssh.ts): no readable host key, or one ssh would not accept.

const IDENTIFICATION = 'SSH-2.0-sshpod\r\n';
const SSH_MSG_DISCONNECT = 1;
export const SSH_DISCONNECT_BY_APPLICATION = 11;
/** OpenSSH prints "%.400s" of the description. */
export const DESCRIPTION_LIMIT = 400;

/** Plain ASCII, so that OpenSSH has nothing to escape: a few known characters spelled out, others `?`. */
export function asciiOnly(text: string): string {
  return text.replace(/…/g, '...').replace(/→/g, '->').replace(/[^\x20-\x7e\n\t]/g, '?');
}

/**
 * The lines fitted into the limit: the first (what went wrong) kept whole if it can be, the
 * later ones (the hint) cut short with "..." — the whole text is in `sshpod last-error`.
 */
export function fitDescription(lines: string[], limit = DESCRIPTION_LIMIT): string {
  const fitted: string[] = [];
  let room = limit;
  for (const line of lines.map(asciiOnly)) {
    const cost = (fitted.length > 0 ? 1 : 0) + line.length;
    if (cost <= room) {
      fitted.push(line);
      room -= cost;
      continue;
    }
    const keep = room - (fitted.length > 0 ? 1 : 0) - 3;
    if (keep > 10) fitted.push(`${line.slice(0, keep)}...`);
    break;
  }
  return fitted.join('\n');
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/** An unencrypted binary packet (RFC 4253 §6): length, padding length, payload, padding to 8. */
function packet(payload: Buffer): Buffer {
  let padding = 8 - ((5 + payload.length) % 8);
  if (padding < 4) padding += 8;
  return Buffer.concat([uint32(1 + payload.length + padding), Buffer.from([padding]), payload, Buffer.alloc(padding)]);
}

export function disconnectBeforeKeyExchange(description: string): Buffer {
  const text = Buffer.from(description, 'utf8');
  const payload = Buffer.concat([Buffer.from([SSH_MSG_DISCONNECT]), uint32(SSH_DISCONNECT_BY_APPLICATION), uint32(text.length), text, uint32(0)]);
  return Buffer.concat([Buffer.from(IDENTIFICATION, 'latin1'), packet(payload)]);
}
