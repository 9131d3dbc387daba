// Node flags for a process that runs the test cluster while bytes stream through it (the
// benchmarks, `npm run cluster`). The API server's heap is small (~12 MB) and every
// port-forward or exec chunk allocates Buffers; with V8's default initial old-generation limit
// that heap sits within one young generation of its limit, so V8 starts incremental marking
// again and again: during a 256 MiB port-forward it ran a mark-compact every ~40 ms, and
// marking took ~40 % of the API server's CPU. A 256 MB initial old space leaves room for the
// Buffers in flight even where the cluster shares its process with more (the benchmark's heap is
// ~47 MB: with 64 MB it still ran 115 mark-compacts in one run, with 256 MB five); kube-apiserver
// (Go) has no such cost to stand in for.
export const CLUSTER_NODE_FLAGS = ['--initial-old-space-size=256'];
