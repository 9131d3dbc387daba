// `sshpod cleanup [HOSTNAME | --all] [--dry-run]`: takes away what sshpod left, and says what it did.
//   HOSTNAME   that hostname's pod: its sshd stopped and sshpod's files removed (one exec, by the
//              same safety rules as the remote script: src/remote/remove-sshd.sh); for a
//              template-- hostname, the pods you made for it deleted
//   --all      every sshd this machine remembers installing (in every context it remembers), every
//              pod you made on demand, and finished or abandoned sshpod pods of anyone
//   (neither)  only what is stale: remembered pods that are gone, finished or abandoned sshpod pods
// Always: what sshpod remembers locally about what it removed or found gone, known_hosts pins that
// lead nowhere any more, connection-sharing sockets no master listens on. A pod it cannot reach
// (RBAC, gone, a cluster down) is a line in the report, not a failure; --dry-run changes nothing
// and says what it would do (it still looks inside pods, read-only).
import type { Pod } from '../kube/types.ts';
import { SshpodError } from '../errors.ts';
import { canonicalHost, parseHostname, type TargetSpec } from '../target/hostname.ts';
import { resolveTarget } from '../resolve/resolve-target.ts';
import { sshpodPaths, type SshpodPaths } from '../ssh/paths.ts';
import { ensureKeys } from '../ssh/keys.ts';
import { unpinHostKey } from '../ssh/known-hosts.ts';
import { printable } from '../text/printable.ts';
import { listRemembered, type RememberedTarget } from '../reach/target-cache.ts';
import { inspectOrRemoveSshd, type InstallState } from '../remote/remove-sshd.ts';
import type { TargetRef } from '../target/target-ref.ts';
import { ANNOTATIONS, LABELS, ownerLabelValue } from '../ondemand/labels.ts';
import { leftOver } from '../ondemand/sweep.ts';
import { deletePod } from '../ondemand/pod-requests.ts';
import { localOwner } from '../ondemand/owner.ts';
import { loadTemplate } from '../ondemand/template-file.ts';
import { Clusters, type Cluster } from './clusters.ts';
import { eachLimited, isKnown, onDemandPods, presenceOf, type KnownTarget } from './inventory.ts';
import { readKnownHosts, removeFile, stalePins, staleSockets } from './local-state.ts';
import { saidOf } from './said.ts';

export interface CleanupOptions {
  all?: boolean;
  dryRun?: boolean;
}

type Reachable = Extract<Cluster, { api: unknown }>;

/** The report, line by line, worded for a dry run or for the real thing. */
class Report {
  readonly lines: string[] = [];
  constructor(readonly dryRun: boolean) {}
  /** `done` says what happened; `would` what a dry run would do. */
  did(subject: string, done: string, would: string): void {
    this.lines.push(`${subject}: ${this.dryRun ? would : done}`);
  }
  note(subject: string, text: string): void {
    this.lines.push(`${subject}: ${text}`);
  }
}

const podName = (namespace: string, pod: string): string => printable(`${namespace}/${pod}`);

function describeInstalls(installs: InstallState[], dryRun: boolean): string {
  if (installs.length === 0) return 'nothing of sshpod\'s there';
  return installs
    .map((install) => {
      if (install.busy) return `${install.dir} is being prepared by a connection right now: left as it is`;
      const sshd = install.running ? `${dryRun ? 'stop' : 'stopped'} sshd (pid ${install.pid ?? '?'}, port ${install.port ?? '?'}${install.sessions > 0 ? `; ${install.sessions} open session${install.sessions === 1 ? '' : 's'} keep${install.sessions === 1 ? 's' : ''} running until ${install.sessions === 1 ? 'it ends' : 'they end'}` : ''}) and ` : '';
      return `${sshd}${dryRun ? 'remove' : 'removed'} ${install.dir}`;
    })
    .join('; ');
}

/** Stops sshd and removes the files in one container (status only on a dry run). */
async function cleanContainer(cluster: Reachable, target: TargetRef, report: Report): Promise<boolean> {
  const subject = `pod ${podName(target.namespace, target.pod)}, container ${printable(target.container)}`;
  try {
    const installs = await inspectOrRemoveSshd(cluster.api, target, report.dryRun ? 'status' : 'remove');
    report.note(subject, `${report.dryRun ? 'would ' : ''}${describeInstalls(installs, report.dryRun)}`);
    return !installs.some((install) => install.busy);
  } catch (error) {
    report.note(subject, `could not clean it: ${saidOf(error)} (left as it is)`);
    return false;
  }
}

async function deleteOnDemand(cluster: Reachable, pod: Pod, why: string, report: Report): Promise<void> {
  const namespace = pod.metadata.namespace ?? '';
  const name = pod.metadata.name ?? '';
  const subject = `on-demand pod ${podName(namespace, name)} (context ${printable(cluster.context)})`;
  if (report.dryRun) return report.did(subject, '', `would delete it (${why})`);
  try {
    const outcome = await deletePod(cluster.api, { namespace, pod: name, podUid: pod.metadata.uid ?? '' });
    report.note(subject, outcome === 'deleted' ? `deleted (${why})` : 'already gone');
  } catch (error) {
    report.note(subject, `could not delete it: ${saidOf(error)}`);
  }
}

/** Forgets remembered endpoints (the cache files). */
function forget(targets: RememberedTarget[], report: Report, why: string): void {
  for (const target of targets) {
    const subject = target.key ? `remembered ${printable(target.key.host)} (context ${printable(target.key.context)}, pod ${podName(target.endpoint?.namespace ?? '?', target.endpoint?.pod ?? '?')})` : 'a remembered endpoint from an older sshpod';
    if (!report.dryRun) removeFile(target.file);
    report.did(subject, `forgot it (${why})`, `would forget it (${why})`);
  }
}

/** One remembered sshd under --all or the stale sweep: look, then clean (--all) or forget (gone). */
async function handleRemembered(clusters: Clusters, target: KnownTarget, all: boolean, report: Report): Promise<void> {
  const cluster = await clusters.get(target.key.context);
  const subject = `pod ${podName(target.endpoint.namespace, target.endpoint.pod)} (context ${printable(target.key.context)})`;
  if ('problem' in cluster) {
    if (/^no context /.test(cluster.problem)) return forget([target], report, 'its context is no longer in your kubeconfig');
    return report.note(subject, `could not reach it: ${cluster.problem} (left as it is)`);
  }
  const presence = await presenceOf(cluster, target.endpoint);
  if (presence.state === 'gone' || presence.state === 'replaced') return forget([target], report, presence.state === 'gone' ? 'its pod is gone' : 'its pod was replaced');
  if (!all) return;
  if (presence.state === 'unknown') return report.note(subject, `could not look at it: ${presence.why} (left as it is)`);
  if (presence.state === 'stopped') return report.note(subject, `container ${printable(target.endpoint.container)} is not running, so nothing runs in it (left as it is)`);
  if (await cleanContainer(cluster, target.endpoint, report)) forget([target], report, 'cleaned');
}

/** A hostname: its pod's sshd, or the on-demand pods made for it. */
async function cleanHostname(clusters: Clusters, host: string, report: Report): Promise<Set<string>> {
  const spec: TargetSpec = parseHostname(host);
  const cluster = await clusters.get(spec.context);
  if ('problem' in cluster) throw new SshpodError('config', cluster.problem, { hint: 'sshpod doctor checks the kubeconfig and the cluster' });
  const canonical = canonicalHost(host);
  const remembered = listRemembered(sshpodPaths()).filter((target) => target.key?.context === cluster.context && target.key.host === canonical);
  if (spec.kind === 'template') {
    const template = await loadTemplate(spec.name).catch(() => undefined);
    const namespace = spec.namespace ?? template?.namespace ?? cluster.namespace;
    const mine = ownerLabelValue(localOwner(cluster.selected));
    const { pods } = await onDemandPods(cluster, { namespace });
    const made = pods.filter((pod) => pod.metadata.labels?.[LABELS.owner] === mine && pod.metadata.annotations?.[ANNOTATIONS.hostname] === canonical);
    if (made.length === 0) report.note(printable(host), `no pod you made for it in namespace "${printable(namespace)}"`);
    for (const pod of made) await deleteOnDemand(cluster, pod, 'yours, for this hostname', report);
  } else {
    let target: TargetRef | undefined;
    try {
      target = await resolveTarget(cluster.api, spec, cluster.namespace);
    } catch (error) {
      report.note(printable(host), `could not find its pod: ${saidOf(error)}`);
    }
    if (target && !(await cleanContainer(cluster, target, report))) return new Set();
  }
  forget(remembered, report, 'cleaned');
  return new Set([canonical]);
}

async function cleanOnDemand(clusters: Clusters, contexts: string[], all: boolean, report: Report): Promise<Pod[]> {
  const alive: Pod[] = [];
  for (const context of contexts) {
    const cluster = await clusters.get(context);
    if ('problem' in cluster) {
      report.note(`context ${printable(context)}`, `could not look for sshpod's pods: ${cluster.problem}`);
      continue;
    }
    let listed: { pods: Pod[]; note?: string };
    try {
      listed = await onDemandPods(cluster, { namespace: undefined });
    } catch (error) {
      report.note(`context ${printable(cluster.context)}`, `could not list sshpod's pods: ${saidOf(error)}`);
      continue;
    }
    if (listed.note) report.note(`context ${printable(cluster.context)}`, listed.note);
    const mine = ownerLabelValue(localOwner(cluster.selected));
    const now = Date.now();
    for (const pod of listed.pods) {
      const why = leftOver(pod, now) ?? (all && pod.metadata.labels?.[LABELS.owner] === mine && !pod.metadata.deletionTimestamp ? 'yours' : undefined);
      if (why) await deleteOnDemand(cluster, pod, why, report);
      else if (!pod.metadata.deletionTimestamp) alive.push(pod);
    }
  }
  return alive;
}

/** Pins for hostnames nothing leads to, and sockets nobody listens on. */
/** `only`: a hostname's clean-up touches that hostname's pins alone. */
async function cleanLocal(paths: SshpodPaths, cleaned: Set<string>, livePods: Pod[], only: boolean, report: Report): Promise<void> {
  const rememberedHosts = new Set(listRemembered(paths).flatMap((target) => (target.key ? [target.key.host] : [])));
  const liveTemplateHosts = new Set(livePods.map((pod) => pod.metadata.annotations?.[ANNOTATIONS.hostname]).filter((host): host is string => host !== undefined));
  const keep = (host: string): boolean => (only ? !cleaned.has(host) : rememberedHosts.has(host) || liveTemplateHosts.has(host));
  const pins = stalePins(readKnownHosts(paths.knownHosts), keep);
  if (pins.length > 0) {
    if (!report.dryRun) {
      const own = ensureKeys(paths).host.publicKey;
      for (const pattern of pins) unpinHostKey(paths.knownHosts, own, pattern);
    }
    report.did('known_hosts', `removed the pins of ${pins.map(printable).join(', ')}`, `would remove the pins of ${pins.map(printable).join(', ')}`);
  }
  const sockets = await staleSockets(paths.controlDir);
  if (sockets.length > 0) {
    if (!report.dryRun) for (const socket of sockets) removeFile(socket);
    report.did('connection sharing', `removed ${sockets.length} socket${sockets.length === 1 ? '' : 's'} no ssh master listens on`, `would remove ${sockets.length} socket${sockets.length === 1 ? '' : 's'} no ssh master listens on`);
  }
}

export async function runCleanup(hostname: string | undefined, options: CleanupOptions): Promise<number> {
  if (hostname !== undefined && options.all) throw new SshpodError('usage', 'give a hostname or --all, not both', { hint: 'sshpod cleanup HOSTNAME, or sshpod cleanup --all' });
  const report = new Report(options.dryRun === true);
  const clusters = new Clusters();
  const paths = sshpodPaths();
  try {
    let cleaned = new Set<string>();
    let livePods: Pod[] = [];
    if (hostname !== undefined) {
      cleaned = await cleanHostname(clusters, hostname, report);
    } else {
      const remembered = listRemembered(paths);
      forget(remembered.filter((target) => !isKnown(target)), report, 'it does not say where it leads');
      const known = remembered.filter(isKnown);
      await eachLimited(known, 4, (target) => handleRemembered(clusters, target, options.all === true, report));
      const current = await clusters.get(undefined);
      if ('problem' in current) report.note('the current context', `could not look for sshpod's pods there: ${current.problem}`);
      const contexts = [...new Set([current.context, ...known.map((target) => target.key.context)])];
      livePods = await cleanOnDemand(clusters, contexts.filter((context) => context !== '(current)'), options.all === true, report);
    }
    await cleanLocal(paths, cleaned, livePods, hostname !== undefined, report);
    const header = report.dryRun ? 'sshpod cleanup --dry-run: nothing changed; this is what it would do' : '';
    if (header) process.stdout.write(`${header}\n`);
    process.stdout.write(report.lines.length === 0 ? 'Nothing to clean up.\n' : `${report.lines.join('\n')}\n`);
    return 0;
  } finally {
    await clusters.close();
  }
}
