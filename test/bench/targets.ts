// The speed targets the benchmark's table marks (issue 16): figures compared with limits, never
// assertions — a run on a loaded machine reports "NOT met", it does not fail.

/** The figures a target is read from (ratios of medians, and the proxy's peak RSS in MB). */
export interface Figures {
  cold_over_floor: number;
  warm_over_floor: number;
  shared_over_kubectl_exec: number;
  /** scp's throughput over kubectl cp's, the worse of the two directions. */
  scp_over_kubectl_cp: number;
  /** rsync's time over kubectl cp's for the 2,000-file tree. */
  tree_over_kubectl_cp: number;
  memory: number;
}

interface Target {
  name: keyof Figures;
  /** at most (≤) or at least (≥) `limit` */
  bound: 'at most' | 'at least';
  limit: number;
}

export const TARGETS: readonly Target[] = [
  { name: 'cold_over_floor', bound: 'at most', limit: 1.5 },
  { name: 'warm_over_floor', bound: 'at most', limit: 1.25 },
  { name: 'shared_over_kubectl_exec', bound: 'at most', limit: 0.1 },
  { name: 'scp_over_kubectl_cp', bound: 'at least', limit: 1 },
  // "at least twice as fast as kubectl cp": half its time or less.
  { name: 'tree_over_kubectl_cp', bound: 'at most', limit: 0.5 },
  { name: 'memory', bound: 'at most', limit: 64 },
];

export interface TargetRow {
  name: string;
  value: number;
  /** e.g. "≤ 1.25" */
  target: string;
  met: boolean;
}

export function targetRows(figures: Figures): TargetRow[] {
  return TARGETS.map(({ name, bound, limit }) => {
    const value = figures[name];
    const met = Number.isFinite(value) && (bound === 'at most' ? value <= limit : value >= limit);
    return { name, value, target: `${bound === 'at most' ? '≤' : '≥'} ${limit}`, met };
  });
}
