// Ed25519 keys in OpenSSH's own formats, made with node:crypto so that no ssh-keygen is needed:
// the "openssh-key-v1" private key file (unencrypted) and the one-line public key.
import { generateKeyPairSync, randomBytes } from 'node:crypto';

const KEY_TYPE = 'ssh-ed25519';

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

function publicBlob(publicKey: Buffer): Buffer {
  return Buffer.concat([sshString(KEY_TYPE), sshString(publicKey)]);
}

export interface OpenSshKeyPair {
  /** The private key file's contents. */
  privateKey: string;
  /** `ssh-ed25519 AAAA… comment` */
  publicKey: string;
}

export function encodeKeyPair(seed: Buffer, publicKey: Buffer, comment: string, checkInt = randomBytes(4).readUInt32BE()): OpenSshKeyPair {
  const privateSection = Buffer.concat([
    uint32(checkInt),
    uint32(checkInt),
    sshString(KEY_TYPE),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(comment),
  ]);
  // Unencrypted keys are padded to the cipher block size of "none", 8, with bytes 1, 2, 3, …
  const padding = Buffer.from(Array.from({ length: (8 - (privateSection.length % 8)) % 8 }, (_, i) => i + 1));
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(publicBlob(publicKey)),
    sshString(Buffer.concat([privateSection, padding])),
  ]);
  const base64 = body.toString('base64').replace(/.{1,70}/g, '$&\n');
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${base64}-----END OPENSSH PRIVATE KEY-----\n`,
    publicKey: `${KEY_TYPE} ${publicBlob(publicKey).toString('base64')}${comment ? ` ${comment}` : ''}`,
  };
}

export function generateKeyPair(comment: string): OpenSshKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwkPublic = publicKey.export({ format: 'jwk' });
  const jwkPrivate = privateKey.export({ format: 'jwk' });
  return encodeKeyPair(Buffer.from(jwkPrivate.d as string, 'base64url'), Buffer.from(jwkPublic.x as string, 'base64url'), comment);
}

/** The public key line of an unencrypted openssh-key-v1 file (its public section). */
export function publicKeyOfPrivate(privateKeyFile: string, comment = ''): string {
  const base64 = privateKeyFile.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const body = Buffer.from(base64, 'base64');
  const magic = 'openssh-key-v1\0';
  if (body.subarray(0, magic.length).toString('latin1') !== magic) throw new Error('not an OpenSSH private key');
  let offset = magic.length;
  const readString = (): Buffer => {
    const length = body.readUInt32BE(offset);
    const value = body.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
    return value;
  };
  readString(); // cipher
  readString(); // kdf
  readString(); // kdf options
  offset += 4; // number of keys
  const blob = readString();
  return `${KEY_TYPE} ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`;
}

/** A strict check of a public key line before it is trusted anywhere (known_hosts, a pod). */
export function isEd25519PublicKey(line: string): boolean {
  const match = /^ssh-ed25519 ([A-Za-z0-9+/]+={0,2})(?: [\x21-\x7e]+)?$/.exec(line);
  if (!match) return false;
  const blob = Buffer.from(match[1] as string, 'base64');
  if (blob.length !== 4 + KEY_TYPE.length + 4 + 32) return false;
  return blob.equals(publicBlob(blob.subarray(blob.length - 32)));
}

/** `ssh-ed25519 AAAA…` without the comment, for comparisons. */
export function keyMaterial(line: string): string {
  return line.split(' ').slice(0, 2).join(' ');
}
