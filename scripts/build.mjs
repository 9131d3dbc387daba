// Bundles the CLI into one ESM file: start-up of the connect path is one file read,
// not hundreds of module resolutions (see the start-up budget in the benchmark issue).
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
// The remote script ships inside the bundle (src/remote/script.ts reads the file when run unbundled).
const prepareScript = await readFile(new URL('../src/remote/prepare-sshd.sh', import.meta.url), 'utf8');

await build({
  entryPoints: [new URL('../src/cli/main.ts', import.meta.url).pathname],
  outfile: new URL('../dist/sshpod.js', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifyWhitespace: false,
  sourcemap: false,
  legalComments: 'none',
  define: {
    __SSHPOD_VERSION__: JSON.stringify(pkg.version),
    __SSHPOD_PREPARE_SCRIPT__: JSON.stringify(prepareScript),
  },
  // Some CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
  banner: {
    js: "import { createRequire as __sshpodCreateRequire } from 'node:module'; const require = __sshpodCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
