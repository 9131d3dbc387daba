#!/usr/bin/env node
// Launcher: the real program is the esbuild bundle, so start-up loads one file.
import '../dist/sshpod.js';
