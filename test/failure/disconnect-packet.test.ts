import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DESCRIPTION_LIMIT, asciiOnly, disconnectBeforeKeyExchange, fitDescription } from '../../src/failure/disconnect-packet.ts';

test('an identification line, then one well-formed unencrypted DISCONNECT packet', () => {
  const bytes = disconnectBeforeKeyExchange('sshpod: no\nhint: yes');
  const newline = bytes.indexOf('\r\n');
  assert.equal(bytes.subarray(0, newline).toString('latin1'), 'SSH-2.0-sshpod');
  const packet = bytes.subarray(newline + 2);
  const length = packet.readUInt32BE(0);
  const padding = packet[4] as number;
  assert.equal(packet.length, 4 + length, 'the packet is all there is');
  assert.equal((4 + length) % 8, 0, 'a multiple of the block size of "none"');
  assert.ok(padding >= 4, 'at least four bytes of padding (RFC 4253 §6)');
  const payload = packet.subarray(5, 4 + length - padding);
  assert.equal(payload[0], 1, 'SSH_MSG_DISCONNECT');
  assert.equal(payload.readUInt32BE(1), 11, 'SSH_DISCONNECT_BY_APPLICATION');
  const textLength = payload.readUInt32BE(5);
  assert.equal(payload.subarray(9, 9 + textLength).toString('utf8'), 'sshpod: no\nhint: yes');
  assert.equal(payload.readUInt32BE(9 + textLength), 0, 'an empty language tag');
});

test('the description fits what OpenSSH prints: the message whole, the hint cut short', () => {
  const message = `sshpod: ${'m'.repeat(150)}`;
  const hint = `hint: ${'h'.repeat(400)}`;
  const fitted = fitDescription([message, hint]);
  assert.ok(fitted.length <= DESCRIPTION_LIMIT);
  const [first, second] = fitted.split('\n');
  assert.equal(first, message);
  assert.match(second ?? '', /^hint: h+\.\.\.$/);
  assert.equal(fitDescription(['short', 'lines']), 'short\nlines');
});

test('only printable ASCII: OpenSSH would print anything else as octal escapes', () => {
  assert.equal(asciiOnly('pods: a, b, … (40 in all) → é\x1b[31m'), 'pods: a, b, ... (40 in all) -> ??[31m');
  assert.equal(asciiOnly('tab\tand\nnewline'), 'tab\tand\nnewline');
});
