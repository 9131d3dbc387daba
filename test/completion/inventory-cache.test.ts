import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cacheFile, readCached, writeCached } from '../../src/completion/inventory-cache.ts';
import type { Inventory } from '../../src/completion/inventory.ts';

const inventory: Inventory = { namespaces: ['a'], items: [{ kind: 'pod', namespace: 'a', name: 'x', containers: ['c'] }] };
const key = { server: 'https://k:6443', user: 'dev', context: 'kind', scope: '*' };

test('written private and whole, read back with its age', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-cache-'));
  try {
    const file = cacheFile(dir, key);
    writeCached(file, inventory, 1_000);
    assert.equal(statSync(dirname(file)).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dirname(file)), [file.split('/').at(-1)], 'no temporary file left');
    assert.deepEqual(readCached(file, 31_000), { inventory, ageMs: 30_000 });
    assert.equal(readCached(join(dir, 'none.json'), 0), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one file per server, user, context and scope', () => {
  const files = new Set([key, { ...key, server: 'https://other' }, { ...key, user: 'admin' }, { ...key, context: 'eu' }, { ...key, scope: 'shop' }].map((k) => cacheFile('/c', k)));
  assert.equal(files.size, 5);
});

test('a damaged or foreign file is not used', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-cache-'));
  try {
    const file = join(dir, 'x.json');
    for (const text of ['{', '[]', 'null', '{"version":2,"fetchedAt":1,"inventory":{"items":[]}}', '{"version":1,"fetchedAt":1,"inventory":{"items":[{"kind":"service","namespace":"a","name":"b","containers":[]}]}}', '{"version":1,"fetchedAt":1,"inventory":{"namespaces":[1],"items":[]}}']) {
      writeFileSync(file, text);
      assert.equal(readCached(file, 2), undefined, text);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
