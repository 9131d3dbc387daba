#!/usr/bin/env node
// sshpod's launcher: runs the bundled program (dist/sshpod.cjs) with a V8 code cache kept in
// ~/.cache/sshpod/code-cache. Every ssh connection starts a new sshpod process, and compiling the
// bundle anew each time is ~15 ms of its start-up; with the cache it is not compiled at all. V8
// checks that a cache fits (same source, V8 version and flags); one that does not is rebuilt.
'use strict';
const { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'sshpod.cjs');
const source = readFileSync(bundle, 'utf8');
const { size, mtimeMs } = statSync(bundle);
const cacheDir = join(homedir(), '.cache', 'sshpod', 'code-cache');
const cacheName = `${process.version}-${process.arch}-${size}-${Math.floor(mtimeMs)}.bin`;

let cachedData;
try {
  cachedData = readFileSync(join(cacheDir, cacheName));
} catch {
  // first run of this sshpod with this node
}
const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
if (process.env.SSHPOD_LOG_LEVEL === 'debug') {
  process.stderr.write(`sshpod code cache: ${cachedData === undefined ? 'none yet' : script.cachedDataRejected ? 'rejected' : 'used'}\n`);
}
if (cachedData === undefined || script.cachedDataRejected) {
  // Written at exit, so that it also holds the functions this run compiled.
  process.once('exit', () => {
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      const temporary = join(cacheDir, `${cacheName}.${process.pid}.tmp`);
      writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
      renameSync(temporary, join(cacheDir, cacheName));
      for (const old of readdirSync(cacheDir)) if (old !== cacheName && !old.endsWith('.tmp')) rmSync(join(cacheDir, old), { force: true });
    } catch {
      // only an optimisation
    }
  });
}
const program = { exports: {} };
script.runInThisContext()(program.exports, Module.createRequire(bundle), program, bundle, dirname(bundle));
