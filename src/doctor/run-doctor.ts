// `sshpod doctor [HOSTNAME]`: the answer to "why can't I connect?" as a checklist — the ssh config
// block, sshpod's files, the node and OpenSSH versions, the kubeconfig and every context's API
// server, the RBAC permissions a hostname needs, and the last failed connection. Exit status 0
// only when every check passes. Reads and asks; changes nothing (`sshpod configure` repairs).
import { sshpodPaths, type SshpodPaths } from '../ssh/paths.ts';
import { readLastFailure, renderLastFailure } from '../failure/last-failure.ts';
import { allPassed, renderChecklist, summary, type Item } from './checklist.ts';
import { checkSshConfig } from './ssh-config.ts';
import { checkLocalFiles } from './local-files.ts';
import { nodeCheck, opensshCheck } from './versions.ts';
import { checkKube } from './kube.ts';
import { checkRbac } from './rbac.ts';
import { doctorTimeoutMs } from './bounded.ts';

function lastFailureNote(paths: SshpodPaths, now: number): Item {
  const record = readLastFailure(paths);
  if (!record) return { note: 'no failed connection recorded' };
  return { note: [...renderLastFailure(record, now, false), '(sshpod last-error --timeline shows its timeline)'].join('\n') };
}

export async function runDoctor(hostname: string | undefined, paths = sshpodPaths()): Promise<number> {
  const timeoutMs = doctorTimeoutMs();
  const print = (items: Item[]): void => {
    if (items.length > 0) process.stdout.write(`${renderChecklist(items).join('\n')}\n`);
  };
  const all: Item[] = [];
  // Printed section by section, so that a slow cluster does not hold back what is already known.
  for (const section of [() => checkSshConfig(paths), () => checkLocalFiles(paths), () => [nodeCheck(), opensshCheck()]]) {
    const items = section();
    print(items);
    all.push(...items);
  }
  const kube = await checkKube(paths, timeoutMs);
  print(kube);
  all.push(...kube);
  if (hostname !== undefined) {
    const rbac = await checkRbac(hostname, paths, timeoutMs);
    print(rbac);
    all.push(...rbac);
  }
  const last = lastFailureNote(paths, Date.now());
  print([last]);
  process.stdout.write(`${summary(all)}\n`);
  return allPassed(all) ? 0 : 1;
}
