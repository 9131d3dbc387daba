// `sshpod ls [--context X] [--namespace N | -A] [--check]`: the pods where sshpod's sshd is
// installed (as far as this machine knows) and the pods sshpod made on demand (anyone's: they carry
// the managed-by label), with context, namespace, pod, container, state, port, idle time, owner.
// API calls: one LIST for the on-demand pods, one GET per remembered sshd; --check adds one exec
// per remembered pod to see the sshd itself (running, port, sessions, idle).
import { sshpodPaths } from '../ssh/paths.ts';
import { inspectOrRemoveSshd } from '../remote/remove-sshd.ts';
import { Clusters } from './clusters.ts';
import { eachLimited, onDemandPods, presenceOf, rememberedIn, type Scope } from './inventory.ts';
import { formatTable, installedRow, onDemandRow, type Row } from './rows.ts';
import { saidOf } from './said.ts';
import { SshpodError } from '../errors.ts';
import { localOwner } from '../ondemand/owner.ts';

export interface LsOptions {
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  check?: boolean;
}

export async function runLs(options: LsOptions): Promise<number> {
  if (options.namespace !== undefined && options.allNamespaces) throw new SshpodError('usage', '--namespace and --all-namespaces (-A) exclude each other', { hint: 'give one of them' });
  const clusters = new Clusters();
  try {
    const cluster = await clusters.get(options.context);
    if ('problem' in cluster) throw new SshpodError('config', cluster.problem, { hint: 'sshpod doctor checks the kubeconfig and the cluster' });
    const scope: Scope = { namespace: options.allNamespaces ? undefined : (options.namespace ?? cluster.namespace) };
    const notes: string[] = [];
    const rows: Row[] = [];
    const now = Date.now();

    const listing = onDemandPods(cluster, scope).catch((error: unknown) => {
      notes.push(`could not list the pods sshpod made: ${saidOf(error)}`);
      return { pods: [] };
    });
    const remembered = rememberedIn(sshpodPaths(), cluster.context, scope);
    const looked = eachLimited(remembered, 8, async (target) => {
      const presence = await presenceOf(cluster, target.endpoint);
      let installs;
      if (options.check && presence.state === 'present') {
        installs = await inspectOrRemoveSshd(cluster.api, target.endpoint, 'status').catch((error: unknown) => saidOf(error));
      }
      return { target, presence, installs };
    });
    const onDemand = await listing;
    if ('note' in onDemand && onDemand.note) notes.push(onDemand.note);
    for (const pod of onDemand.pods) rows.push(onDemandRow(cluster.context, pod, now));
    const you = localOwner(cluster.selected).local;
    for (const { target, presence, installs } of await looked) rows.push(installedRow(cluster.context, target, presence, installs, you));
    rows.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod) || a.container.localeCompare(b.container));

    if (rows.length === 0) {
      process.stderr.write(`No sshd of sshpod's and no pod made by sshpod ${scope.namespace === undefined ? 'in any namespace' : `in namespace "${scope.namespace}"`} of context "${cluster.context}".\n`);
    } else {
      process.stdout.write(formatTable(rows));
      if (!options.check && remembered.length > 0) notes.push('IDLE "?": --check looks inside those pods (one exec each)');
    }
    for (const note of notes) process.stderr.write(`note: ${note}\n`);
    return 0;
  } finally {
    await clusters.close();
  }
}
