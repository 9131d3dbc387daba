// Peak RSS (VmHWM) of the processes whose command line contains a marker, while an action runs.
// The polling reads every /proc/<pid>/cmdline every 20 ms: a few milliseconds each time on a busy
// machine. It runs on a worker thread, because the benchmark's main thread is also the test
// cluster's API server, which must not stall while sshpod moves bytes through it.
import { Worker } from 'node:worker_threads';

const poller = `
const { parentPort, workerData } = require('node:worker_threads');
const { readdirSync, readFileSync } = require('node:fs');
let peak = 0;
let running = true;
parentPort.on('message', () => { running = false; });
function poll() {
  for (const entry of readdirSync('/proc')) {
    if (!/^\\d+$/.test(entry)) continue;
    try {
      if (!readFileSync('/proc/' + entry + '/cmdline', 'utf8').includes(workerData)) continue;
      const hwm = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/' + entry + '/status', 'utf8'));
      if (hwm) peak = Math.max(peak, Number(hwm[1]) / 1024);
    } catch {
      // gone meanwhile
    }
  }
  if (running) setTimeout(poll, 20);
  else parentPort.postMessage(peak);
}
poll();
`;

/** Runs `action`; resolves with the largest VmHWM in MB seen among processes matching `marker`. */
export async function peakRss(marker: string, action: () => Promise<unknown>): Promise<number> {
  const worker = new Worker(poller, { eval: true, workerData: marker });
  const peak = new Promise<number>((resolve, reject) => {
    worker.once('message', (value: number) => resolve(value));
    worker.once('error', reject);
  });
  try {
    await action();
  } finally {
    worker.postMessage('stop');
  }
  const result = await peak;
  await worker.terminate();
  return result;
}
