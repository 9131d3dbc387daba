// The page's files: index.html, app.js (the page's code with xterm.js, bundled by
// scripts/build.mjs) and app.css, next to the CLI bundle in dist/web/ — served from memory, read
// once, never from a path a request names (only these three names exist). Each is also kept
// gzip-compressed, made at its first request from a browser that takes gzip (once: the page is
// the same for every request; ~40 ms of CPU for xterm.js, not paid at start-up).
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync, constants } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { SshpodError } from '../errors.ts';

export interface Asset {
  body: Buffer;
  type: string;
  /** The body gzip-compressed (computed once, on first use). */
  gzipped(): Buffer;
}

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

function assetsDir(): string {
  // Bundled: dist/sshpod.cjs → dist/web/. From the sources (tsx): src/web/ → dist/web/.
  for (const candidate of ['./web/', '../../dist/web/']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  throw new SshpodError('local', 'the web terminal page is missing (dist/web/index.html)', { hint: 'build it with: node scripts/build.mjs' });
}

let loaded: Map<string, Asset> | undefined;

/** Reads the files once; throws if the page was not built (checked at start-up, not per request). */
export function loadAssets(): Map<string, Asset> {
  if (loaded) return loaded;
  const dir = assetsDir();
  loaded = new Map(Object.entries(FILES).map(([name, type]) => [name, asset(readFileSync(`${dir}${name}`), type)]));
  return loaded;
}

function asset(body: Buffer, type: string): Asset {
  let compressed: Buffer | undefined;
  return {
    body,
    type,
    gzipped: () => (compressed ??= gzipSync(body, { level: constants.Z_BEST_COMPRESSION })),
  };
}
