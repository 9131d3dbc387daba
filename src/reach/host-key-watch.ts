// Checks, as the bytes go by, which host key the sshd behind a stream presents. Until the first
// NEWKEYS, SSH's transport is in clear (RFC 4253): after its banner the server sends KEXINIT,
// and its key-exchange reply (message 31 for every exchange sshpod's sshd offers: curve25519,
// sntrup761x25519, ECDH) starts with its host key. ssh checks that key against the pin too and
// refuses a stranger; this watch lets sshpod know it happened, so that it forgets the endpoint
// and the next connection repairs it through the exec path instead of meeting the stranger again.
// It reads at most the first few kilobytes, then stops listening; it never alters the stream.
import type { Readable } from 'node:stream';

const KEX_REPLY = 31;
const NEWKEYS = 21;
/** More than the banner, KEXINIT and a post-quantum reply take; past it the watch gives up. */
const WATCH_LIMIT = 64 * 1024;

export type HostKeyVerdict = { done: false } | { done: true; presented?: Buffer };

/** An incremental parser of the server's first packets; `push` says when the host key was seen. */
export class ServerHostKeyReader {
  private buffered: Buffer = Buffer.alloc(0);
  private bannerSeen = false;
  private total = 0;

  push(chunk: Buffer): HostKeyVerdict {
    this.total += chunk.length;
    if (this.total > WATCH_LIMIT) return { done: true };
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (!this.bannerSeen) {
      const newline = this.buffered.indexOf(0x0a);
      if (newline < 0) return { done: false };
      const line = this.buffered.subarray(0, newline).toString('latin1');
      this.buffered = this.buffered.subarray(newline + 1);
      if (line.startsWith('SSH-')) this.bannerSeen = true; // lines before the banner are allowed
    }
    while (this.buffered.length >= 5) {
      const length = this.buffered.readUInt32BE(0);
      if (length < 5 || length > 35000) return { done: true }; // not SSH as we know it
      if (this.buffered.length < 4 + length) return { done: false };
      const padding = this.buffered[4] as number;
      const payload = this.buffered.subarray(5, 4 + length - padding);
      this.buffered = this.buffered.subarray(4 + length);
      if (payload[0] === NEWKEYS) return { done: true };
      if (payload[0] === KEX_REPLY && payload.length >= 5) {
        const keyLength = payload.readUInt32BE(1);
        if (5 + keyLength > payload.length) return { done: true };
        return { done: true, presented: Buffer.from(payload.subarray(5, 5 + keyLength)) };
      }
    }
    return { done: false };
  }
}

/** The key blob of an OpenSSH public key line (`ssh-ed25519 AAAA… comment`). */
export function keyBlob(publicKeyLine: string): Buffer {
  return Buffer.from(publicKeyLine.split(' ')[1] ?? '', 'base64');
}

/**
 * Watches `stream` (already being relayed: attach right after piping it) and calls `onStranger`
 * with the key it presented when that is not `expected`.
 */
export function watchHostKey(stream: Readable, expected: string, onStranger: (presented: string) => void): void {
  const reader = new ServerHostKeyReader();
  const wanted = keyBlob(expected);
  const onData = (chunk: Buffer): void => {
    const verdict = reader.push(chunk);
    if (!verdict.done) return;
    stream.off('data', onData);
    if (verdict.presented && !verdict.presented.equals(wanted)) {
      const type = verdict.presented.subarray(4, 4 + verdict.presented.readUInt32BE(0)).toString('latin1');
      onStranger(`${type} ${verdict.presented.toString('base64')}`);
    }
  };
  stream.on('data', onData);
}
