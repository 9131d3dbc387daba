// `node --import tsx test/real/cluster/main.ts [--run-dir DIR] [--cache-dir DIR]`: runs the real
// lane's cluster in the foreground until SIGINT/SIGTERM, then stops everything it started. The run
// directory's ready.json (kubeconfig paths, server) appears once the node is Ready, so a script can
// wait for that file. `--cleanup` only removes what a crashed run left.
import { parseArgs } from 'node:util';
import { cleanupLeftovers, DEFAULT_CACHE_DIR, DEFAULT_RUN_DIR, startRealCluster } from './real-cluster.ts';

const { values } = parseArgs({
  options: {
    'run-dir': { type: 'string', default: DEFAULT_RUN_DIR },
    'cache-dir': { type: 'string', default: DEFAULT_CACHE_DIR },
    cleanup: { type: 'boolean', default: false },
  },
});
const log = (line: string): void => console.error(`real-k8s: ${line}`);
const runDir = values['run-dir'] as string;

if (values.cleanup) {
  await cleanupLeftovers(runDir, log);
  process.exit(0);
}

if (process.getuid?.() !== 0) {
  console.error('real-k8s: the real cluster needs root (containers, mounts, cgroups)');
  process.exit(1);
}

const started = Date.now();
let cluster: Awaited<ReturnType<typeof startRealCluster>> | undefined;
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  const t = Date.now();
  await cluster?.stop();
  log(`stopped in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

try {
  cluster = await startRealCluster({ runDir, cacheDir: values['cache-dir'] as string, log });
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${cluster.info.server}, admin kubeconfig ${cluster.info.kubeconfigs.admin}`);
  if (stopping) await cluster.stop();
} catch (error) {
  log(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
// Runs until a signal stops it.
setInterval(() => undefined, 1 << 30);
