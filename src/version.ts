// Injected by the esbuild bundle (scripts/build.mjs); tsx runs fall back to package.json.
declare const __SSHPOD_VERSION__: string | undefined;

export const SSHPOD_VERSION: string =
  typeof __SSHPOD_VERSION__ === 'string' ? __SSHPOD_VERSION__ : '0.0.0-dev';
