#!/usr/bin/env node
// sshpod's launcher: runs the bundled program (dist/sshpod.cjs) with a V8 code cache kept in
// ~/.cache/sshpod/code-cache. Every ssh connection starts a new sshpod process, and compiling the
// bundle anew each time is ~15 ms of its start-up; with the cache it is not compiled at all. V8
// checks only that a cache fits the source's length, V8 version and flags, so the cache is named
// by the bundle's sha256 (written into its first line at build time, hashed here if missing): only
// code compiled from this very bundle can run. One that V8 rejects anyway is rebuilt.
'use strict';
const { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const { createHash } = require('node:crypto');
const Module = require('node:module');
const vm = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'sshpod.cjs');
const source = readFileSync(bundle, 'utf8');
const stamped = /^\/\/ sshpod-bundle-sha256=([0-9a-f]{64})\n/.exec(source);
const bundleHash = stamped ? stamped[1] : createHash('sha256').update(source).digest('hex');
const cacheDir = join(homedir(), '.cache', 'sshpod', 'code-cache');
const cacheName = `${process.version}-${process.arch}-${bundleHash}.bin`;

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
