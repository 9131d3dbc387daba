// Bench cases for the web terminal (issue 19): the page's weight as a browser downloads it (each
// file plain and gzip-compressed, as the server sends them to a browser that takes gzip) and the
// start-up of `sshpod web` to its printed URL (the lazily loaded command: nothing else in the CLI
// pays for it). Call from test/bench/main.ts:
//   import { benchWeb } from './web.ts';
//   results['web'] = await benchWeb({ runs: 5 });
// Needs the build (dist/web/); no cluster, no root. Prints nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';
import { repo, sshpodBin } from '../e2e/harness.ts';

export interface WebBench {
  /** Bytes per file: [plain, gzip]. */
  files: Record<string, [number, number]>;
  pageBytes: number;
  pageGzipBytes: number;
  /** Median milliseconds from `sshpod web` started to its URL on stdout. */
  startupMs: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

function startupOnce(home: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [sshpodBin, 'web', '--listen', '127.0.0.1:0'], { env: { HOME: home, PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', () => {
      const ms = performance.now() - started;
      child.kill('SIGTERM');
      child.once('exit', () => resolve(ms));
    });
    child.once('error', reject);
  });
}

export async function benchWeb(options: { runs?: number } = {}): Promise<WebBench> {
  const files: Record<string, [number, number]> = {};
  for (const name of ['index.html', 'app.js', 'app.css']) {
    const body = readFileSync(join(repo, 'dist', 'web', name));
    files[name] = [body.length, gzipSync(body, { level: constants.Z_BEST_COMPRESSION }).length];
  }
  const home = mkdtempSync(join(tmpdir(), 'sshpod-bench-web-'));
  const samples: number[] = [];
  try {
    for (let i = 0; i < (options.runs ?? 5); i++) samples.push(await startupOnce(home));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  const all = Object.values(files);
  return {
    files,
    pageBytes: all.reduce((n, [plain]) => n + plain, 0),
    pageGzipBytes: all.reduce((n, [, gzip]) => n + gzip, 0),
    startupMs: Math.round(median(samples)),
  };
}
