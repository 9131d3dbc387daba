// The README must stay true: the commands it gives exist, the files it names exist, and the error
// messages in its troubleshooting table are ones sshpod can print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };

function sources(dir: string): string {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .map((path) => (statSync(path).isDirectory() ? sources(path) : /\.(ts|sh)$/.test(path) ? readFileSync(path, 'utf8') : ''))
    .join('\n');
}

test('the two set-up commands come first and use scripts that exist', () => {
  const firstBlock = readme.slice(0, readme.indexOf('## Contents'));
  assert.match(firstBlock, /npm ci && npm run demo/);
  assert.match(firstBlock, /npm ci && npm test/);
  assert.ok(pkg.scripts['demo'] && pkg.scripts['test']);
  assert.match(readFileSync(join(root, '.ci', 'run'), 'utf8'), /^npm test$/m, '.ci/run runs the README test command');
});

test('every `npm run X` in the README exists', () => {
  for (const [, script] of readme.matchAll(/npm run ([a-z:]+)/g)) assert.ok(pkg.scripts[script as string], `npm run ${script}`);
});

test('files and options the README names exist', () => {
  for (const path of ['install.sh', 'install.ps1', 'bin/sshpod.cjs', 'bundles/README.md', 'test/cluster/README.md', 'docs/remote-protocol.md', 'src/remote/prepare-sshd.sh']) {
    assert.ok(existsSync(join(root, path)), path);
  }
  assert.equal(pkg.bin['sshpod'], 'bin/sshpod.cjs');
  const install = readFileSync(join(root, 'install.sh'), 'utf8');
  for (const option of ['--prefix', '--yes', '--uninstall']) assert.ok(install.includes(option), option);
});

test('every troubleshooting message is one sshpod can print', () => {
  // In the sources, a template's ${…} parts are what the README writes as "…" or as an example.
  const code = sources(join(root, 'src')).replace(/\$\{[^}]*\}/g, '…');
  const table = readme.slice(readme.indexOf('## Troubleshooting'), readme.indexOf('## Benchmarks'));
  const messages = [...table.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1] as string);
  assert.ok(messages.length > 20, `${messages.length} messages`);
  const missing: string[] = [];
  for (const message of messages) {
    // The fixed words of each message, between the parts that vary, must appear in the sources.
    const parts = message.split(/…|"[^"]*"|\([^)]*\)/).map((part) => part.replace(/^[\s:,.]+|[\s:,.]+$/g, '')).filter((part) => part.length >= 8);
    for (const part of parts) if (!code.includes(part)) missing.push(`"${part}" (from "${message}")`);
  }
  assert.deepEqual(missing, []);
});
