// `npm run cluster -- --kubeconfig <path> [--manifest <file.yaml>]...`: runs the test cluster
// in the foreground. The kubeconfig appears at <path> only once the API answers and the
// manifests' pods run (scripts wait for the file); SIGINT/SIGTERM stop every container and
// remove the kubeconfig and the state directory.
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ClusterError, PodWaitError, repoRoot, startCluster } from './cluster.ts';
import type { Cluster } from './cluster.ts';

function say(line: string): void {
  process.stderr.write(`cluster: ${line}\n`);
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a TCP port number');
  return n;
}

const program = new Command('cluster')
  .description('Run the sshpod test cluster (a local Kubernetes API server with real containers) in the foreground.')
  .option('--kubeconfig <path>', 'where to write the kubeconfig once the cluster is ready', join(repoRoot, '.cache/cluster/kubeconfig'))
  .option('--manifest <file>', 'apply a YAML/JSON manifest at start (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
  .option('--state-dir <dir>', 'state directory (default: a fresh one under .cache/cluster/runs)')
  .option('--host <address>', 'listen address', '127.0.0.1')
  .option('--port <port>', 'listen port (0: any free port)', port, 0)
  .option('--no-install', 'do not run scripts/install-host-deps.sh first')
  .option('--debug', 'log what the cluster does to stderr')
  .parse(process.argv);

const opts = program.opts<{ kubeconfig: string; manifest: string[]; stateDir?: string; host: string; port: number; install: boolean; debug?: boolean }>();

async function main(): Promise<void> {
  // A kubeconfig left by an earlier run must not look like "ready".
  await rm(opts.kubeconfig, { force: true });
  if (opts.install && process.platform === 'linux' && process.getuid?.() === 0) {
    const r = spawnSync('sh', [join(repoRoot, 'scripts/install-host-deps.sh')], { stdio: 'inherit' });
    if (r.status !== 0) throw new ClusterError('scripts/install-host-deps.sh failed (see above): the cluster needs those Debian packages');
  }
  const started = Date.now();
  const options: Parameters<typeof startCluster>[0] = { manifests: opts.manifest, host: opts.host, port: opts.port, log: opts.debug ? say : () => undefined };
  if (opts.stateDir) options.stateDir = opts.stateDir;
  let cluster: Cluster | undefined;
  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) {
      say('stopping already; a second signal is ignored until the containers are gone');
      return;
    }
    stopping = true;
    say(`${why}: stopping`);
    await cluster?.stop();
    await rm(opts.kubeconfig, { force: true });
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  cluster = await startCluster(options);
  if (stopping) return;
  await cluster.writeKubeconfig(opts.kubeconfig);
  say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${cluster.server}`);
  say(`kubeconfig: ${opts.kubeconfig} (users: ${cluster.users().map((u) => `${u.name} by ${u.auth}`).join(', ')})`);
  say(`try: kubectl --kubeconfig ${opts.kubeconfig} get pods -A`);
}

main().catch((error: unknown) => {
  if (error instanceof ClusterError || error instanceof PodWaitError) say(error.message);
  else say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
