#!/usr/bin/env node
// The README's test command (`npm test`): installs what the suite needs, builds, type-checks,
// then runs every test file with Node's own runner. `--unit` skips the root-only suites.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const unitOnly = process.argv.includes('--unit');
const isRoot = process.getuid?.() === 0;
const onLinux = process.platform === 'linux';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`test: '${[cmd, ...args].join(' ')}' failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out.sort();
}

if (!unitOnly && onLinux && isRoot) {
  run('sh', ['scripts/install-host-deps.sh']);
} else if (!unitOnly) {
  const why = onLinux ? 'not running as root' : `not Linux (${process.platform})`;
  if (process.env.CI === 'true') {
    console.error(`test: the end-to-end suites need root on Linux and CI must run them, but this is ${why}.`);
    process.exit(1);
  }
  console.error(`test: ${why}: the local test cluster cannot run here, so the end-to-end suites will be skipped.`);
}

run(process.execPath, ['scripts/build.mjs']);
run(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json']);

// test/real/*.test.ts run against a real Kubernetes: `npm run test:real` (scripts/test-real.mjs).
const realLane = /^test\/real\/[^/]+\.test\.ts$/;
const files = findTests(join(root, 'test')).filter((f) => !realLane.test(f) && (!unitOnly || !f.includes('/e2e/')));
run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
  env: { ...process.env, SSHPOD_UNIT_ONLY: unitOnly ? '1' : '' },
});
