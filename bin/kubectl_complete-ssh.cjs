#!/usr/bin/env node
// Completion of `kubectl ssh …` inside kubectl's own shell completion: kubectl (1.26 and later)
// runs kubectl_complete-ssh from PATH with the words typed after `kubectl ssh`, the one being
// completed last, and reads candidates and a cobra directive from its stdout.
'use strict';
const { join } = require('node:path');

process.argv.splice(1, 1, join(__dirname, 'sshpod.cjs'), '__complete', 'kubectl-cobra');
require('./sshpod.cjs');
