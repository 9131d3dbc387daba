// The short-lived local copy of what the cluster listed, so that the TABs of one command line
// cost no API call after the first: ~/.cache/sshpod/completion/<hash>.json (0700 directory, 0600
// files, written whole or not at all), one file per API server, user, context and scope.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readTextIfExists, writePrivateFile } from '../local-file.ts';
import type { Inventory, Listed } from './inventory.ts';
import { LISTED_KINDS } from './inventory.ts';

/** Fresh enough to use without asking the cluster. */
export const FRESH_MS = 30_000;
/** Old but better than nothing when the cluster cannot be asked now. */
export const STALE_LIMIT_MS = 3_600_000;

export interface CacheKey {
  server: string;
  user: string;
  context: string;
  /** A namespace, or `*` for all of them. */
  scope: string;
}

export function cacheFile(cacheDir: string, key: CacheKey): string {
  const hash = createHash('sha256').update(JSON.stringify([key.server, key.user, key.context, key.scope])).digest('hex').slice(0, 32);
  return join(cacheDir, 'completion', `${hash}.json`);
}

interface Stored {
  version: 1;
  fetchedAt: number;
  inventory: Inventory;
}

const isNameList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

function isListed(value: unknown): value is Listed {
  const item = value as Listed;
  return (
    typeof item === 'object' && item !== null && (LISTED_KINDS as readonly string[]).includes(item.kind) && typeof item.namespace === 'string' && typeof item.name === 'string' && isNameList(item.containers)
  );
}

/** The stored inventory and its age, if the file exists and has the expected shape. */
export function readCached(file: string, now: number): { inventory: Inventory; ageMs: number } | undefined {
  let stored: Stored;
  try {
    const text = readTextIfExists(file);
    if (text === undefined) return undefined;
    stored = JSON.parse(text) as Stored;
  } catch {
    return undefined;
  }
  const { inventory } = stored ?? {};
  if (stored?.version !== 1 || typeof stored.fetchedAt !== 'number' || !inventory || !Array.isArray(inventory.items) || !inventory.items.every(isListed)) return undefined;
  if (inventory.namespaces !== undefined && !isNameList(inventory.namespaces)) return undefined;
  return { inventory, ageMs: now - stored.fetchedAt };
}

export function writeCached(file: string, inventory: Inventory, now: number): void {
  const stored: Stored = { version: 1, fetchedAt: now, inventory };
  writePrivateFile(file, JSON.stringify(stored));
}
