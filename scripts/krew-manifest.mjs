#!/usr/bin/env node
// Writes deploy/krew/ssh.yaml, the krew plugin manifest for `kubectl ssh`, for this package's
// version: krew installs the npm tarball (it holds bin/, dist/ and bundles/, and needs nothing
// from node_modules) and links bin/kubectl-ssh.cjs as kubectl-ssh. The sha256 must be that of
// the tarball krew will download, so at release, after `npm publish`:
//   node scripts/krew-manifest.mjs --tarball "$(npm pack --silent sshpod@VERSION)"
// Without --tarball it packs this checkout (`npm pack`), which gives the same bytes when the
// checkout is what was published (npm packs with fixed timestamps).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const at = process.argv.indexOf('--tarball');
let tarball = at > 0 ? process.argv[at + 1] : undefined;
let work;
if (!tarball) {
  work = mkdtempSync(join(tmpdir(), 'sshpod-krew-'));
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' }).trim().split('\n').at(-1);
  tarball = join(work, name);
}
const sha256 = createHash('sha256').update(readFileSync(tarball)).digest('hex');
if (work) rmSync(work, { recursive: true, force: true });

const manifest = `# krew plugin manifest for \`kubectl ssh\` (https://krew.sigs.k8s.io/docs/developer-guide/plugin-manifest/).
# Written by scripts/krew-manifest.mjs: uri and sha256 name the npm tarball of this version.
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: ssh
spec:
  version: v${pkg.version}
  homepage: https://www.npmjs.com/package/sshpod
  shortDescription: Shell and scp into containers with your own ssh
  description: |
    kubectl ssh gives you a shell, a command or an scp copy in any container of a pod,
    deployment, statefulset, daemonset or job, through your own OpenSSH client: its keys,
    agent and port forwarding, scp and rsync. It is the kubectl front of sshpod, which puts a
    static sshd into the container through one exec and relays ssh through a port-forward: no
    image change, no Service, no open port.

      kubectl ssh -n prod api                  # a login shell
      kubectl ssh deployment/web -- hostname   # a command in a ready pod of a deployment
      kubectl ssh cp ./build.tgz prod/api:/tmp/
  caveats: |
    kubectl ssh needs Node.js 20 or newer (as "node" on PATH) and the OpenSSH client.
    The first time, it tells you the one command that adds sshpod's Host *.sshpod block
    to ~/.ssh/config; run that again after \`kubectl krew upgrade ssh\`.
  platforms:
  - selector:
      matchExpressions:
      - key: os
        operator: In
        values: [linux, darwin]
    uri: https://registry.npmjs.org/sshpod/-/sshpod-${pkg.version}.tgz
    sha256: ${sha256}
    files:
    - from: package/*
      to: .
    bin: bin/kubectl-ssh.cjs
`;
mkdirSync(join(root, 'deploy', 'krew'), { recursive: true });
writeFileSync(join(root, 'deploy', 'krew', 'ssh.yaml'), manifest);
process.stderr.write(`krew-manifest: wrote deploy/krew/ssh.yaml (v${pkg.version}, sha256 ${sha256})\n`);
