// Failures reach the person: with the block exactly as `sshpod configure` wrote it — connection
// sharing on, so OpenSSH sends the ProxyCommand's stderr to /dev/null — the `sshpod:` line and its
// hint must still appear where the person looks: in a terminal, in a script's stderr, under scp,
// sftp, rsync and git, and in an editor's remote mode (ssh -T with stdin a pipe, stderr read).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { container, e2eSkipReason, hasStackTrace, pod, startE2E, type E2E, type RunResult } from './harness.ts';

interface Case {
  name: string;
  destination: string;
  message: string;
  hint: RegExp;
  setUp?: (e: E2E) => void;
}

const cases: Case[] = [
  {
    name: 'a misspelt hostname key',
    destination: 'root@pod--api.namepsace--default.sshpod',
    message: 'sshpod: hostname "pod--api.namepsace--default.sshpod": "namepsace--default" has an unknown key "namepsace--" (did you mean "namespace--"?)',
    hint: /^hint: accepted form: \[container--C\.\]\(pod--P/,
  },
  {
    name: 'a pod that does not exist',
    destination: 'root@pod--apx.sshpod',
    message: 'sshpod: pod "apx" not found in namespace "default"',
    hint: /^hint: pods in namespace "default": api, distroless, worker$/,
  },
  {
    // `Host *.sshpod` alone does not match it: ssh would look the name up in DNS instead.
    name: 'a hostname with a trailing dot',
    destination: 'root@pod--apx.sshpod.',
    message: 'sshpod: pod "apx" not found in namespace "default"',
    hint: /^hint: pods in namespace "default": api, distroless, worker$/,
  },
  {
    name: 'a container without a shell, where RBAC forbids the ephemeral container',
    destination: 'root@pod--distroless.sshpod',
    message: 'sshpod: container "main" of pod "distroless" has no shell (sh), and you may not add the ephemeral container sshpod would run sshd in: RBAC denies "patch" on "pods/ephemeralcontainers"',
    hint: /^hint: ask your cluster admin for "patch" on "pods\/ephemeralcontainers" in namespace "default" \(kubectl debug needs it too\)/,
    setUp: (e) => e.cluster.deny({ user: 'admin', verb: 'patch', resource: 'pods/ephemeralcontainers', namespace: 'default' }),
  },
  {
    name: 'RBAC refusing pods/exec',
    destination: 'root@pod--worker.sshpod',
    message:
      'sshpod: not allowed to create pods/exec "worker" in namespace "default": pods "worker" is forbidden: User "admin" cannot create resource "pods/exec" in API group "" in the namespace "default"',
    hint: /^hint: ask your cluster admin for RBAC permission to create pods\/exec in namespace "default"/,
    // Only create: the 1.35+ check after get (the stand-in's default), so the message names create.
    setUp: (e) => e.cluster.deny({ user: 'admin', verb: 'create', resource: 'pods/exec', namespace: 'default' }),
  },
  {
    name: 'a user the container does not have',
    destination: 'alice@pod--api.sshpod',
    message: 'sshpod: user "alice" does not exist in this container (container "main" of pod "api")',
    hint: /^hint: log in as one of: root\b/,
  },
];

interface Tool {
  name: string;
  terminal?: boolean;
  run(e: E2E, destination: string, work: string): Promise<RunResult>;
}

const tools: Tool[] = [
  { name: 'ssh from a script', run: (e, d) => e.asPerson(['ssh', '-F', e.sshConfig, d, 'true']) },
  { name: 'ssh in a terminal', terminal: true, run: (e, d) => e.asPerson(['ssh', '-F', e.sshConfig, d], { terminal: true }) },
  { name: 'scp from a script', run: (e, d, work) => e.asPerson(['scp', '-F', e.sshConfig, join(work, 'file'), `${d}:/tmp/`]) },
  { name: 'scp in a terminal', terminal: true, run: (e, d, work) => e.asPerson(['scp', '-F', e.sshConfig, join(work, 'file'), `${d}:/tmp/`], { terminal: true }) },
  { name: 'sftp from a script', run: (e, d) => e.asPerson(['sftp', '-F', e.sshConfig, '-b', '-', d], { input: 'ls\n' }) },
  { name: 'rsync -e ssh', run: (e, d, work) => e.asPerson(['rsync', '-e', `ssh -F ${e.sshConfig}`, join(work, 'file'), `${d}:/tmp/`]) },
  {
    name: 'git over ssh',
    run: (e, d, work) => e.asPerson(['git', 'clone', `${d}:/srv/repo.git`, join(work, 'clone')], { env: { GIT_SSH_COMMAND: `ssh -F ${e.sshConfig}` } }),
  },
  // VS Code's Remote-SSH and the like: no terminal, a shell on stdin, stderr shown in a panel.
  { name: "an editor's remote mode", run: (e, d) => e.asPerson(['ssh', '-F', e.sshConfig, '-T', d, 'sh'], { input: 'echo ready\n' }) },
];

/** What the person saw, line by line (a terminal ends lines with \r\n). */
function seen(result: RunResult): string[] {
  return `${result.stderr}\n${result.stdout}`.split(/\r*\n/);
}

describe('failures reach the person through the configured block', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  let work: string;
  before(async () => {
    e = await startE2E({
      objects: [
        pod('api', { containers: [container('main', 'busybox')] }),
        pod('worker', { containers: [container('main', 'busybox')] }),
        pod('distroless', { containers: [container('main', 'gcr.io/distroless/distroless:nonroot')] }),
      ],
    });
    work = mkdtempSync(join(e.home, 'work-'));
    writeFileSync(join(work, 'file'), 'payload\n');
  });
  after(async () => {
    await e?.stop();
  });

  for (const failure of cases) {
    describe(failure.name, () => {
      before(() => failure.setUp?.(e));
      after(() => e.cluster.resetAccess());
      for (const tool of tools) {
        test(tool.name, async () => {
          const result = await tool.run(e, failure.destination, work);
          const lines = seen(result);
          assert.notEqual(result.code, 0, 'the command fails');
          assert.ok(lines.includes(failure.message), `the sshpod: line reaches the person:\n${lines.join('\n')}`);
          const hintAt = lines.indexOf(failure.message) + 1;
          assert.match(lines[hintAt] ?? '', failure.hint, `its hint follows it:\n${lines.join('\n')}`);
          assert.ok(!hasStackTrace(lines.join('\n')), 'no stack trace');
          if (tool.name.startsWith('ssh')) assert.equal(result.code, 255, "ssh's own status for a failed connection");
        });
      }
    });
  }
});
