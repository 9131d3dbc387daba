// The test cluster's container runtime: what the API server (test/cluster/api) uses.
export type * from './types.ts';
export type { LocalRuntime, RuntimeOptions } from './runtime.ts';
export { createRuntime } from './runtime.ts';
export { defaultImageCacheDir, prepareImages } from './images/store.ts';
