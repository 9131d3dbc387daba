// Finding and reading template files: the person's own, the built-in debug template (its image
// from SSHPOD_DEBUG_IMAGE), YAML mistakes with their line, and what is not a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTemplate, templateNames } from '../../src/ondemand/template-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'sshpod-templates-'));
writeFileSync(join(dir, 'python.yaml'), 'kind: Pod\nspec:\n  containers:\n    - name: py\n      image: python:3.12\n');
writeFileSync(join(dir, 'broken.yaml'), 'spec:\n  containers: [\n    - name: x\n');
writeFileSync(join(dir, 'two.yaml'), 'spec: {containers: [{name: a, image: x}]}\n---\nspec: {containers: [{name: b, image: y}]}\n');
writeFileSync(join(dir, 'Not_A_Name.yaml'), 'spec: {}\n');
writeFileSync(join(dir, 'notes.txt'), 'x');

test('a template file is read and checked', async () => {
  const template = await loadTemplate('python', dir);
  assert.equal(template.spec.containers[0]?.image, 'python:3.12');
  assert.equal(template.source, join(dir, 'python.yaml'));
});

test('the built-in debug template, its image from SSHPOD_DEBUG_IMAGE; a debug.yaml replaces it', async () => {
  assert.equal((await loadTemplate('debug', dir, {})).spec.containers[0]?.image, 'busybox');
  assert.equal((await loadTemplate('debug', dir, { SSHPOD_DEBUG_IMAGE: 'nicolaka/netshoot:v0.13' })).spec.containers[0]?.image, 'nicolaka/netshoot:v0.13');
  assert.equal((await loadTemplate('debug', dir, {})).source, 'built in');
  const own = mkdtempSync(join(tmpdir(), 'sshpod-templates-'));
  writeFileSync(join(own, 'debug.yaml'), 'spec: {containers: [{name: mine, image: alpine}]}\n');
  assert.equal((await loadTemplate('debug', own, {})).spec.containers[0]?.name, 'mine');
});

test('names: the files that can be hostnames, and the built-in ones', () => {
  assert.deepEqual(templateNames(dir), ['broken', 'debug', 'kubectl', 'python', 'two']);
  assert.deepEqual(templateNames(join(dir, 'nowhere')), ['debug', 'kubectl']);
});

test('no such template: the message lists the ones there are', async () => {
  await assert.rejects(loadTemplate('nope', dir), (error: Error & { hint?: string }) => /^no template "nope": there is no .*nope\.yaml$/.test(error.message) && /template--broken, template--debug, template--kubectl, template--python/.test(error.hint ?? ''));
});

test('YAML mistakes name the line; several documents are refused', async () => {
  await assert.rejects(loadTemplate('broken', dir), /template "broken" \(.*broken\.yaml\) is not valid YAML \(line \d+\)/);
  await assert.rejects(loadTemplate('two', dir), /holds 2 YAML documents/);
});

test('what is not a regular file is not read (a FIFO would block, a device would never end)', async () => {
  const odd = mkdtempSync(join(tmpdir(), 'sshpod-templates-'));
  spawnSync('mkfifo', [join(odd, 'fifo.yaml')]);
  symlinkSync('/dev/zero', join(odd, 'zero.yaml'));
  mkdirSync(join(odd, 'dir.yaml'));
  await assert.rejects(loadTemplate('fifo', odd), /is not a regular file/);
  await assert.rejects(loadTemplate('zero', odd), /is not a regular file/);
  await assert.rejects(loadTemplate('dir', odd), /is not a regular file|EISDIR/);
});
