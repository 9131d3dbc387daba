// Bench case for the kubectl workstation (issue 19): the first `ssh … true` to template--kubectl
// (pod made and started, token requested, kubeconfig written, sshd uploaded) beside the same for
// template--debug with the same image, so the difference is the workstation's cost (three API
// round trips and one exec), and the API requests each made. Call from test/bench/main.ts:
//   import { benchWorkstation } from './workstation.ts';
//   const row = await benchWorkstation({ runs: 5 });
// Needs root (the local test cluster). Returns medians; prints nothing.
import { startE2E } from '../e2e/harness.ts';

export interface WorkstationRow {
  debugSeconds: number;
  kubectlSeconds: number;
  /** API requests of one first connection, each. */
  debugRequests: number;
  kubectlRequests: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export async function benchWorkstation(options: { runs?: number } = {}): Promise<WorkstationRow> {
  const runs = options.runs ?? 5;
  const e = await startE2E({ objects: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sshpod-kubectl', namespace: 'default' } }] });
  const env = { SSHPOD_KUBECTL_IMAGE: 'debian', SSHPOD_DEBUG_IMAGE: 'debian' };
  try {
    const timed = async (template: string): Promise<{ seconds: number; requests: number }> => {
      e.cluster.clearRequests();
      const started = Date.now();
      const result = await e.ssh(`root@template--${template}.sshpod`, ['true'], { env });
      const ended = Date.now();
      const seconds = (ended - started) / 1000;
      if (result.code !== 0) throw new Error(`bench (template--${template}) failed: ${result.stderr}`);
      // Those made before ssh returned: the pod's deletion afterwards is not counted.
      return { seconds, requests: e.cluster.requests().filter((r) => r.time <= ended).length };
    };
    const debug: Array<{ seconds: number; requests: number }> = [];
    const kubectl: Array<{ seconds: number; requests: number }> = [];
    for (let i = 0; i < runs; i++) {
      debug.push(await timed('debug'));
      kubectl.push(await timed('kubectl'));
    }
    return {
      debugSeconds: median(debug.map((r) => r.seconds)),
      kubectlSeconds: median(kubectl.map((r) => r.seconds)),
      debugRequests: median(debug.map((r) => r.requests)),
      kubectlRequests: median(kubectl.map((r) => r.requests)),
    };
  } finally {
    await e.stop();
  }
}
