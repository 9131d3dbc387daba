// The known_hosts file sshpod manages (UserKnownHostsFile of the *.sshpod block; ssh checks
// it strictly). Each pod's sshd has a host key of its own, made by sshpod when it installed that
// sshd; sshpod reads it from the pod over the authenticated Kubernetes API and pins it for the
// exact hostname that led there — so a key learned in one pod never vouches for another name.
// When a hostname comes to mean another pod (recreated, a workload's other pod), sshpod replaces
// that hostname's pin after it reached the new pod the same authenticated way.
// `*.sshpod` pins sshpod's local host key, which never leaves this machine: sshpod itself answers
// with it when it has to tell ssh why a connection failed.
import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { keyMaterial } from './openssh-key.ts';

import { readTextIfExists, writePrivateFile } from '../local-file.ts';

const HEADER = '# Managed by sshpod: host keys of the sshd it runs in pods. Rewritten by sshpod; add nothing here.';
// ssh looks names up as typed (lower-cased), trailing dot included.
const WILDCARD = '*.sshpod,*.sshpod.';

/** The known_hosts pattern ssh looks `host` (%h) up by. */
export function hostPattern(host: string, port: number): string {
  const typed = host.trim().toLowerCase();
  return port === 22 ? typed : `[${typed}]:${port}`;
}

interface Pin {
  pattern: string;
  key: string;
}

function readPins(text: string): Pin[] {
  const pins: Pin[] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [linePattern, type, blob] = trimmed.split(/\s+/);
    if (!linePattern || !type || !blob) continue;
    pins.push({ pattern: linePattern, key: `${type} ${blob}` });
  }
  return pins;
}

function render(ownKey: string, pins: Pin[]): string {
  const own = keyMaterial(ownKey);
  const result: Pin[] = [{ pattern: WILDCARD, key: own }, ...pins.filter((pin) => pin.pattern !== WILDCARD && pin.pattern !== '*.sshpod')];
  return `${HEADER}\n${result.map((pin) => `${pin.pattern} ${pin.key}`).join('\n')}\n`;
}

/**
 * The file's new text, given our own host key and what `pattern` presents now. `replace`: the
 * key is the only one for the pattern (an existing pod or workload). `add`: it joins the ones
 * pinned already — an on-demand hostname leads each connection to a pod of its own, several at
 * once, each pin removed with its pod (unpinHostKey).
 */
export function updatedKnownHosts(text: string, ownKey: string, pattern: string, presented: string, mode: 'replace' | 'add' = 'replace'): string {
  const current = keyMaterial(presented);
  const kept = readPins(text).filter((pin) => pin.pattern !== pattern || (mode === 'add' && pin.key !== current));
  if (current !== keyMaterial(ownKey)) kept.push({ pattern, key: current });
  return render(ownKey, kept);
}

/** The file's text without the pin of `key` for `pattern` (every pin of the pattern when `key` is undefined). */
export function withoutPin(text: string, ownKey: string, pattern: string, key?: string): string {
  const removed = key === undefined ? undefined : keyMaterial(key);
  return render(ownKey, readPins(text).filter((pin) => pin.pattern !== pattern || (removed !== undefined && pin.key !== removed)));
}

/** The hostnames (patterns) pinned, apart from sshpod's own wildcard. */
export function pinnedPatterns(text: string): string[] {
  return [...new Set(readPins(text).map((pin) => pin.pattern).filter((pattern) => pattern !== WILDCARD && pattern !== '*.sshpod'))];
}

function withLock<T>(path: string, action: () => T): T {
  const lock = `${path}.lock`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than a few seconds belongs to a process that died holding it.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 5_000) rmdirSync(lock);
      } catch {
        // another process removed it first
      }
      if (Date.now() > deadline) throw new Error(`could not lock ${path}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    return action();
  } finally {
    rmdirSync(lock);
  }
}

/** Rewrites the file as `change` says, under its lock; writes only when something changes. */
export function changeKnownHosts(path: string, change: (text: string) => string): void {
  const before = readTextIfExists(path) ?? '';
  if (change(before) === before) return;
  withLock(path, () => {
    const text = readTextIfExists(path) ?? '';
    const next = change(text);
    if (next !== text) writePrivateFile(path, next);
  });
}

/** Makes ssh accept `presented` for `pattern` (alone, or beside the pins it has: `add`). */
export function pinHostKey(path: string, ownKey: string, pattern: string, presented: string, mode: 'replace' | 'add' = 'replace'): void {
  changeKnownHosts(path, (text) => updatedKnownHosts(text, ownKey, pattern, presented, mode));
}

/** Removes the pin of `key` for `pattern` (or all of the pattern's). */
export function unpinHostKey(path: string, ownKey: string, pattern: string, key?: string): void {
  changeKnownHosts(path, (text) => withoutPin(text, ownKey, pattern, key));
}
