// The rows of `sshpod ls` (pure): one per on-demand pod and one per remembered sshd, in words a
// person reads at a glance. Everything that comes from the cluster passes through printable().
import type { Pod } from '../kube/types.ts';
import { printable } from '../text/printable.ts';
import { ANNOTATIONS } from '../ondemand/labels.ts';
import { holdersOf } from '../ondemand/shared-holders.ts';
import type { InstallState } from '../remote/remove-sshd.ts';
import type { KnownTarget, Presence } from './inventory.ts';
import { duration } from './said.ts';

export interface Row {
  context: string;
  namespace: string;
  pod: string;
  container: string;
  state: string;
  port: string;
  idle: string;
  owner: string;
}

const COLUMNS: Array<[keyof Row, string]> = [
  ['context', 'CONTEXT'],
  ['namespace', 'NAMESPACE'],
  ['pod', 'POD'],
  ['container', 'CONTAINER'],
  ['state', 'STATE'],
  ['port', 'PORT'],
  ['idle', 'IDLE'],
  ['owner', 'OWNER'],
];

function since(timestamp: string | undefined, now: number): number | undefined {
  const at = Date.parse(timestamp ?? '');
  return Number.isFinite(at) ? (now - at) / 1000 : undefined;
}

export function onDemandRow(context: string, pod: Pod, now: number): Row {
  const annotations = pod.metadata.annotations ?? {};
  const container = annotations[ANNOTATIONS.container] ?? pod.spec?.containers?.[0]?.name ?? '?';
  const template = pod.metadata.labels?.['sshpod/template'] ?? '?';
  const shared = pod.metadata.labels?.['sshpod/share'] !== undefined;
  const phase = pod.status?.phase ?? 'Pending';
  const holders = holdersOf(pod).length;
  let state: string;
  let idle = '-';
  if (pod.metadata.deletionTimestamp) state = 'terminating';
  else if (phase === 'Succeeded' || phase === 'Failed') {
    state = phase === 'Succeeded' ? 'completed' : 'failed';
    const finished = pod.status?.containerStatuses?.map((c) => (c.state?.terminated as { finishedAt?: string } | undefined)?.finishedAt).find(Boolean);
    const ago = since(finished, now);
    idle = ago === undefined ? 'ended' : `ended ${duration(ago)} ago`;
  } else {
    state = phase.toLowerCase();
    idle = shared && holders === 0 ? 'idle' : 'in use';
  }
  const kubeUser = annotations[ANNOTATIONS.kubeUser];
  return {
    context,
    namespace: pod.metadata.namespace ?? '',
    pod: pod.metadata.name ?? '',
    container,
    state: `${state}, template ${template}${shared ? `, shared by ${holders}` : ''}`,
    port: '-',
    idle,
    owner: `${annotations[ANNOTATIONS.owner] ?? '?'}${kubeUser ? ` (${kubeUser})` : ''}`,
  };
}

const PRESENCE_WORDS: Record<Presence['state'], string> = {
  present: 'sshd installed',
  gone: 'pod gone',
  replaced: 'pod replaced (new uid)',
  stopped: 'container not running',
  unknown: 'unknown',
};

/** A remembered sshd; `installs` when --check looked inside (undefined: not looked, or could not). */
export function installedRow(context: string, target: KnownTarget, presence: Presence, installs: InstallState[] | string | undefined, you: string): Row {
  const { endpoint } = target;
  let state = PRESENCE_WORDS[presence.state];
  if (presence.state === 'unknown') state = `unknown: ${presence.why}`;
  let port = String(endpoint.port);
  let idle = '?';
  if (typeof installs === 'string') state = `${state}; could not look inside: ${installs}`;
  else if (installs !== undefined) {
    const running = installs.find((install) => install.running);
    if (running) {
      state = `sshd running, ${running.sessions} session${running.sessions === 1 ? '' : 's'}`;
      port = running.port === undefined ? port : String(running.port);
      idle = running.sessions > 0 ? 'in use' : running.idleAtMost === undefined ? '?' : `<=${duration(running.idleAtMost)}`;
    } else if (installs.length > 0) {
      state = 'sshd installed, not running';
      idle = '-';
    } else {
      state = 'not installed (sshd exited idle)';
      port = '-';
      idle = '-';
    }
  }
  return { context, namespace: endpoint.namespace, pod: endpoint.pod, container: endpoint.container, state, port, idle, owner: `${you} (as ${endpoint.login})` };
}

/** The rows as a table with a header, columns padded (kubectl's look). */
export function formatTable(rows: readonly Row[]): string {
  const cells = [COLUMNS.map(([, title]) => title), ...rows.map((row) => COLUMNS.map(([key]) => printable(row[key]).slice(0, 120)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  return `${cells.map((line) => line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3))).join('').trimEnd()).join('\n')}\n`;
}
