// The client key (what ssh authenticates with) and sshpod's local host key (what sshpod itself
// presents when it answers ssh with a failure; pods get host keys of their own), made on first
// use. Many ssh processes may start at once on a fresh machine, so a key file is created with
// link(2), which fails if another process got there first; then that process's key is used.
import { chmodSync, linkSync, mkdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateKeyPair, publicKeyOfPrivate, type OpenSshKeyPair } from './openssh-key.ts';
import { SshpodError } from '../errors.ts';
import type { SshpodPaths } from './paths.ts';
import { readTextIfExists } from '../local-file.ts';

export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32' && (statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function readKey(path: string, comment: string): OpenSshKeyPair | undefined {
  const privateKey = readTextIfExists(path);
  if (privateKey === undefined) return undefined;
  try {
    return { privateKey, publicKey: publicKeyOfPrivate(privateKey, comment) };
  } catch (error) {
    throw new SshpodError('local', `${path} is not an unencrypted OpenSSH ed25519 key`, {
      hint: `move it away and sshpod will make a new one (${path})`,
      cause: error,
    });
  }
}

export function ensureKey(path: string, comment: string): OpenSshKeyPair {
  const existing = readKey(path, comment);
  if (existing) return existing;
  ensurePrivateDir(dirname(path));
  const made = generateKeyPair(comment);
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, made.privateKey, { mode: 0o600, flag: 'wx' });
  let key = made;
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    key = readKey(path, comment) ?? made;
  } finally {
    unlinkSync(temporary);
  }
  // The .pub file is for people and tools; its content follows from the private key, so a race
  // between writers is harmless.
  const publicTemporary = `${temporary}.pub`;
  writeFileSync(publicTemporary, `${key.publicKey}\n`, { mode: 0o644 });
  renameSync(publicTemporary, `${path}.pub`);
  return key;
}

export interface SshpodKeys {
  client: OpenSshKeyPair;
  host: OpenSshKeyPair;
}

export function ensureKeys(paths: SshpodPaths): SshpodKeys {
  ensurePrivateDir(paths.cacheDir);
  const client = ensureKey(paths.clientKey, 'sshpod-client');
  const existingHost = readKey(paths.hostKey, 'sshpod-local');
  if (existingHost) return { client, host: existingHost };
  // First run of this version: the old host key went into every pod, so it is retired, never reused.
  rmSync(paths.legacyHostKey, { force: true });
  rmSync(`${paths.legacyHostKey}.pub`, { force: true });
  return { client, host: ensureKey(paths.hostKey, 'sshpod-local') };
}
