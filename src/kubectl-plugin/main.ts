// `kubectl ssh`: kubectl's words in, one ssh (or scp) run out. Everything is resolved locally —
// kubeconfig, hostname, ssh's own view of the host — so a mistake is reported before ssh starts;
// the pod itself is found by the sshpod ProxyCommand ssh runs. Failures read as kubectl's do
// (`error: …`, exit 1), each with sshpod's hint line.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { formatErrorForUser } from '../errors.ts';
import { checkLoginName } from '../target/login-name.ts';
import { SSHPOD_VERSION } from '../version.ts';
import { parsePluginArgs, type CopyEnd, type KubeFlags, type PluginRequest } from './args.ts';
import { pluginHostname } from './hostname.ts';
import { readKubeFacts, useKubeconfigFile } from './kube-facts.ts';
import { runChild } from './run-child.ts';
import { scpArgs, sshArgs, type ScpEnd } from './ssh-command.ts';
import { askSsh, defaultLogin } from './ssh-setup.ts';
import { PLUGIN_USAGE } from './usage.ts';

/** How to run `sshpod configure` here: by name when the launcher is on PATH (install.sh, npm), else by path (krew). */
function configureCommand(): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, 'sshpod'), constants.X_OK);
      return 'sshpod configure';
    } catch {
      // not in this directory
    }
  }
  return `'${process.execPath}' '${process.argv[1] ?? 'sshpod'}' configure`;
}

function loginFor(given: string | undefined, host: string): string {
  const { view, localUser } = askSsh(host, configureCommand());
  return checkLoginName(given ?? defaultLogin(view, localUser));
}

async function run(request: PluginRequest): Promise<void> {
  switch (request.action) {
    case 'help':
      process.stdout.write(PLUGIN_USAGE);
      return;
    case 'version':
      process.stdout.write(`${SSHPOD_VERSION}\n`);
      return;
    case 'ssh': {
      if (request.flags.kubeconfig !== undefined) useKubeconfigFile(request.flags.kubeconfig);
      const host = pluginHostname(request.flags, request.target, readKubeFacts());
      const login = loginFor(request.login, host);
      await runChild('ssh', sshArgs({ host, login, tty: request.tty, command: request.command, ownKubeconfig: request.flags.kubeconfig !== undefined }), process.env);
      return;
    }
    case 'cp': {
      if (request.flags.kubeconfig !== undefined) useKubeconfigFile(request.flags.kubeconfig);
      const facts = readKubeFacts();
      const toScp = (end: CopyEnd): ScpEnd => {
        if ('local' in end) return { local: end.local };
        const flags: KubeFlags = { ...request.flags, ...(end.remote.namespace === undefined ? {} : { namespace: end.remote.namespace }) };
        const host = pluginHostname(flags, { kind: 'pod', name: end.remote.pod }, facts);
        return { remote: { host, login: loginFor(end.remote.login, host), path: end.remote.path } };
      };
      const source = toScp(request.source);
      const destination = toScp(request.destination);
      await runChild('scp', scpArgs(source, destination, request.flags.kubeconfig !== undefined), process.env);
      return;
    }
  }
}

export async function runPlugin(words: readonly string[]): Promise<never> {
  try {
    await run(parsePluginArgs(words));
    process.exit(0);
  } catch (error) {
    process.stderr.write(`${formatErrorForUser(error).replace(/^sshpod: /, 'error: ')}\n`);
    process.exit(1);
  }
}
