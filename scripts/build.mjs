// Bundles the CLI into one CommonJS file: start-up of the connect path is one file read, not
// hundreds of module resolutions, and bin/sshpod.cjs can run it from a V8 code cache (CommonJS,
// because vm.Script takes a code cache and ES modules cannot be loaded that way on Node 20).
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
// The remote script ships inside the bundle (src/remote/script.ts reads the file when run unbundled).
const prepareScript = await readFile(new URL('../src/remote/prepare-sshd.sh', import.meta.url), 'utf8');
// So does its clean-up counterpart (src/remote/remove-sshd.ts) and the safeguard of on-demand
// pods (src/ondemand/watchdog-script.ts).
const removeScript = await readFile(new URL('../src/remote/remove-sshd.sh', import.meta.url), 'utf8');
const watchdogScript = await readFile(new URL('../src/ondemand/pod-watchdog.sh', import.meta.url), 'utf8');
// So do the shell completion scripts (src/completion/script.ts).
const completionScripts = Object.fromEntries(
  await Promise.all(['bash', 'zsh', 'fish'].map(async (shell) => [shell, await readFile(new URL(`../src/completion/shells/sshpod.${shell}`, import.meta.url), 'utf8')])),
);

// @kubernetes/client-node's config module imports, eagerly, things the connect path never or
// rarely needs: the whole generated API client and node-fetch (for methods sshpod never calls),
// the legacy auth-provider plugins with openid-client and jsonpath-plus, and the proxy agents.
// The first two become stubs; the others become stand-ins that load the real thing on demand
// (src/kube/lazy/). That halves the bundle and saves ~25 ms of start-up on every ssh connect.
const stubs = {
  'client-node-gen': 'export function createConfiguration() { throw new Error("not bundled in sshpod"); }\nexport class ServerConfiguration { constructor() { throw new Error("not bundled in sshpod"); } }\n',
  'node-fetch': 'export class Headers { constructor() { throw new Error("not bundled in sshpod"); } }\n',
  'native-addon': 'throw new Error("not bundled in sshpod");\n',
};
const lazy = {
  './oidc_auth.js': '../src/kube/lazy/auth-providers.ts',
  './azure_auth.js': '../src/kube/lazy/auth-providers.ts',
  './gcp_auth.js': '../src/kube/lazy/auth-providers.ts',
  'socks-proxy-agent': '../src/kube/lazy/proxy-agents.ts',
  hpagent: '../src/kube/lazy/proxy-agents.ts',
};
const trimClientNode = {
  name: 'trim-client-node',
  setup(builder) {
    const fromConfig = (args) => /@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/.test(args.importer);
    builder.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) => (fromConfig(args) ? { path: 'client-node-gen', namespace: 'sshpod-stub' } : undefined));
    builder.onResolve({ filter: /^node-fetch$/ }, (args) => (fromConfig(args) ? { path: 'node-fetch', namespace: 'sshpod-stub' } : undefined));
    builder.onResolve({ filter: /^(\.\/(oidc|azure|gcp)_auth\.js|socks-proxy-agent|hpagent)$/ }, (args) =>
      fromConfig(args) ? { path: fileURLToPath(new URL(lazy[args.path], import.meta.url)) } : undefined,
    );
    // ssh2 (the failure answer, src/failure/answer-ssh.ts) tries its optional native addons in a
    // try/catch and falls back to JavaScript: the bundle carries no native code.
    builder.onResolve({ filter: /(\.node|^cpu-features)$/ }, (args) => (/[\\/]ssh2[\\/]/.test(args.importer) ? { path: 'native-addon', namespace: 'sshpod-stub' } : undefined));
    builder.onLoad({ filter: /.*/, namespace: 'sshpod-stub' }, (args) => ({ contents: stubs[args.path], loader: 'js' }));
  },
};

// Packages only some runs need, each bundled into a file of its own next to the CLI and required
// when first imported: ssh2 answers ssh when a connection fails (src/failure/answer-ssh.ts), execa
// runs exec credential plugins (src/kube/exec-credential.ts), yaml reads pod templates
// (src/ondemand/template-file.ts). Inside the main bundle they would more than double what every
// connect reads and compiles (~0.7 MB).
const onDemand = { ssh2: 'sshpod-ssh2.cjs', execa: 'sshpod-execa.cjs', yaml: 'sshpod-yaml.cjs' };
const loadOnDemand = {
  name: 'load-on-demand',
  setup(builder) {
    builder.onResolve({ filter: /^(ssh2|execa|yaml)$/ }, (args) => (args.kind === 'dynamic-import' ? { path: `./${onDemand[args.path]}`, external: true } : undefined));
  },
};
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', minifyWhitespace: true, minifySyntax: true, keepNames: true, sourcemap: false, legalComments: 'none', logLevel: 'warning' };
for (const [name, file] of Object.entries(onDemand)) {
  await build({
    ...common,
    stdin: { contents: `export * from '${name}';\n`, resolveDir: fileURLToPath(new URL('..', import.meta.url)), loader: 'js' },
    outfile: new URL(`../dist/${file}`, import.meta.url).pathname,
    plugins: [trimClientNode],
  });
}

await build({
  entryPoints: [new URL('../src/cli/main.ts', import.meta.url).pathname],
  outfile: new URL('../dist/sshpod.cjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  sourcemap: false,
  legalComments: 'none',
  plugins: [trimClientNode, loadOnDemand],
  // import() of those files becomes require(): the launcher runs the bundle as a vm.Script, where
  // import() has no loader.
  supported: { 'dynamic-import': false },
  define: {
    __SSHPOD_VERSION__: JSON.stringify(pkg.version),
    __SSHPOD_PREPARE_SCRIPT__: JSON.stringify(prepareScript),
    __SSHPOD_WATCHDOG_SCRIPT__: JSON.stringify(watchdogScript),
    __SSHPOD_REMOVE_SCRIPT__: JSON.stringify(removeScript),
    __SSHPOD_COMPLETION_SCRIPTS__: JSON.stringify(completionScripts),
    'import.meta.url': '__sshpodModuleUrl',
  },
  // The sources are ES modules that locate files next to themselves with import.meta.url.
  banner: {
    js: "const __sshpodModuleUrl = require('node:url').pathToFileURL(__filename).href;",
  },
  logLevel: 'warning',
});

// The web terminal's page (src/web/page): its script with xterm.js, and its styles, bundled for the
// browser into dist/web/ beside the CLI (src/web/assets.ts serves them; no CDN). Loaded by `sshpod
// web` only: nothing here touches the CLI bundle.
await mkdir(new URL('../dist/web/', import.meta.url), { recursive: true });
await build({
  entryPoints: [new URL('../src/web/page/app.ts', import.meta.url).pathname, new URL('../src/web/page/app.css', import.meta.url).pathname],
  outdir: new URL('../dist/web/', import.meta.url).pathname,
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
await copyFile(new URL('../src/web/page/index.html', import.meta.url), new URL('../dist/web/index.html', import.meta.url));

// The launcher names its V8 code cache by this hash: V8 itself checks only the source's length,
// and would run a cache compiled from another bundle of the same length. Computed here, once, so
// that no connect pays for hashing half a megabyte; the line is a comment, outside the hash.
const outfile = new URL('../dist/sshpod.cjs', import.meta.url);
const bundled = await readFile(outfile, 'utf8');
const digest = createHash('sha256').update(bundled).digest('hex');
await writeFile(outfile, `// sshpod-bundle-sha256=${digest}\n${bundled}`);
