#!/usr/bin/env node
// `kubectl ssh`: kubectl runs an executable named kubectl-ssh found on PATH for `kubectl ssh …`
// (install.sh, install.ps1, npm and krew put this one there). It is sshpod's own launcher and
// bundle, entered with kubectl's words; argv[1] names sshpod's launcher, so that what the plugin
// says to run (`… configure`) is sshpod itself.
'use strict';
const { join } = require('node:path');

process.argv.splice(1, 1, join(__dirname, 'sshpod.cjs'), '__kubectl-ssh');
require('./sshpod.cjs');
