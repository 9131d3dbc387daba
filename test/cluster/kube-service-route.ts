// The `kubernetes` Service inside one pod, as kube-proxy makes it on a real node: 10.96.0.1:443
// (the Service's clusterIP, which the pod's KUBERNETES_SERVICE_HOST/PORT name and the API
// server's certificate covers) reaches the API server from the pod's network namespace. The test
// cluster routes no Services (README: not modelled), so tests that run a client inside a pod — the
// kubectl workstation — ask for this route for that pod:
//   pod netns: socat listening on 10.96.0.1:443 (added to lo) → a unix socket in a private temp dir
//   host:      a relay from that socket to the API server's address
// stop() ends both; the pod's end does not (socat holds the network namespace), so always stop().
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import type { Cluster } from './cluster.ts';

export const KUBERNETES_SERVICE_IP = '10.96.0.1';
/** 10.96.0.1:443 as /proc/net/tcp writes it (little-endian address, port in hex). */
const PROC_NET_ADDRESS = '0100600A:01BB';

export interface ServiceRoute {
  stop(): Promise<void>;
}

export async function routeKubernetesService(cluster: Cluster, namespace: string, pod: string): Promise<ServiceRoute> {
  const netns = cluster.podNetnsPath(namespace, pod);
  const api = new URL(cluster.server);
  // Not in the state directory: a unix socket's path has at most 107 bytes.
  const socketDir = mkdtempSync(join(tmpdir(), 'sshpod-ksvc-'));
  const socketPath = join(socketDir, 'api.sock');
  const connections = new Set<net.Socket>();
  const relay = net.createServer((inbound) => {
    const outbound = net.connect(Number(api.port), api.hostname.replace(/^\[|\]$/g, ''));
    for (const socket of [inbound, outbound]) {
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
      socket.on('error', () => inbound.destroy());
    }
    outbound.on('error', () => inbound.destroy());
    inbound.on('error', () => outbound.destroy());
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    relay.once('error', reject);
    relay.listen(socketPath, () => resolve());
  });
  const script = `ip addr add ${KUBERNETES_SERVICE_IP}/32 dev lo 2>/dev/null; exec socat TCP-LISTEN:443,bind=${KUBERNETES_SERVICE_IP},fork,reuseaddr UNIX-CONNECT:${socketPath}`;
  const listener = spawn('nsenter', [`--net=${netns}`, 'sh', '-c', script], { stdio: 'ignore', detached: true });
  const stop = async (): Promise<void> => {
    try {
      if (listener.pid && listener.exitCode === null) process.kill(-listener.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    for (const socket of connections) socket.destroy();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
    rmSync(socketDir, { recursive: true, force: true });
  };
  // Ready once the pod's namespace has the listener (its own /proc/net/tcp says so).
  const deadline = Date.now() + 10_000;
  for (;;) {
    const check = spawnSync('nsenter', [`--net=${netns}`, 'sh', '-c', `grep -q '${PROC_NET_ADDRESS} 00000000:0000 0A' /proc/net/tcp`], { timeout: 5000 });
    if (check.status === 0) break;
    if (Date.now() > deadline || listener.exitCode !== null) {
      await stop();
      throw new Error(`the kubernetes Service route into pod ${namespace}/${pod} did not come up`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { stop };
}
