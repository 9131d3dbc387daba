// The host key a server presents, read from its first packets as they stream by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ServerHostKeyReader, keyBlob, watchHostKey } from '../../src/reach/host-key-watch.ts';
import { generateKeyPair } from '../../src/ssh/openssh-key.ts';

function sshString(data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

/** An unencrypted binary packet (RFC 4253 §6) carrying `payload`. */
function packet(payload: Buffer): Buffer {
  const padding = 8 - ((payload.length + 5) % 8) + 4;
  const header = Buffer.alloc(5);
  header.writeUInt32BE(payload.length + padding + 1);
  header[4] = padding;
  return Buffer.concat([header, payload, Buffer.alloc(padding)]);
}

const presented = generateKeyPair('pod');
const other = generateKeyPair('stranger');

/** What an sshd sends first: an optional pre-banner line, its banner, KEXINIT, the ECDH reply. */
function transcript(hostKey: string): Buffer {
  const kexinit = Buffer.concat([Buffer.from([20]), Buffer.alloc(16, 7), sshString(Buffer.from('curve25519-sha256'))]);
  const reply = Buffer.concat([Buffer.from([31]), sshString(keyBlob(hostKey)), sshString(Buffer.alloc(32, 1)), sshString(Buffer.alloc(83, 2))]);
  return Buffer.concat([Buffer.from('some notice\r\nSSH-2.0-OpenSSH_9.2p1 sshpod-abc\r\n'), packet(kexinit), packet(reply)]);
}

test('the host key is found in the key-exchange reply, however the bytes are cut', () => {
  const bytes = transcript(presented.publicKey);
  for (const size of [1, 7, 64, bytes.length]) {
    const reader = new ServerHostKeyReader();
    let verdict = reader.push(bytes.subarray(0, Math.min(size, bytes.length)));
    for (let i = size; !verdict.done && i < bytes.length; i += size) verdict = reader.push(bytes.subarray(i, i + size));
    assert.ok(verdict.done && verdict.presented?.equals(keyBlob(presented.publicKey)), `chunks of ${size}`);
  }
});

test('what is not SSH ends the watch without a verdict', () => {
  assert.deepEqual(new ServerHostKeyReader().push(Buffer.from('SSH-2.0-x\r\n\xff\xff\xff\xff\x00', 'latin1')), { done: true });
  assert.deepEqual(new ServerHostKeyReader().push(Buffer.alloc(70 * 1024, 0x61)), { done: true });
});

test('a stranger is reported once, the expected key silently; the stream is untouched', () => {
  for (const [key, expected] of [
    [other.publicKey, ['ssh-ed25519']],
    [presented.publicKey, []],
  ] as const) {
    const stream = new PassThrough();
    const seen: string[] = [];
    const relayed: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => relayed.push(chunk));
    watchHostKey(stream, presented.publicKey, (stranger) => seen.push(stranger.split(' ')[0] as string));
    const bytes = transcript(key);
    stream.write(bytes.subarray(0, 30));
    stream.write(bytes.subarray(30));
    stream.write(Buffer.from('after the key exchange'));
    assert.deepEqual(seen, expected);
    assert.deepEqual(Buffer.concat(relayed), Buffer.concat([bytes, Buffer.from('after the key exchange')]));
    assert.equal(stream.listenerCount('data'), 1, 'the watch stopped listening');
  }
});
