// `sshpod gateway …`: reads the options, the kubeconfig (in-cluster inside a pod), the host keys
// and the users, starts the SSH listener and the metrics listener, and stops cleanly on SIGTERM or
// SIGINT: no new connections, open sessions finish up to --drain seconds, on-demand pods go.
import { statSync } from 'node:fs';
import { SshpodError } from '../errors.ts';
import { readRegularFile } from '../local-file.ts';
import { loadKubeConfig } from '../kube/kubeconfig.ts';
import { generateKeyPair } from '../ssh/openssh-key.ts';
import { AuditLog } from './audit.ts';
import { Metrics, serveMetrics } from './metrics.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { Backend, type AuthorizationMode } from './backend.ts';
import { describeLocation, usersLocation, UsersSource } from './users-source.ts';
import { Gateway } from './gateway.ts';
import { fingerprint } from './users.ts';
import { hostKeyModeProblem } from './host-key-mode.ts';

export interface GatewayCliOptions {
  listen: string;
  users: string;
  hostKey?: string[];
  audit?: string;
  metrics?: string;
  authorization: AuthorizationMode;
  templates?: string;
  reloadSeconds: number;
  limits: Partial<Limits>;
  /** HOST:PORT for the web terminal (impersonation only). */
  web?: string;
}

/** HOST:PORT, [IPv6]:PORT or PORT (loopback). */
export function parseListen(value: string, what: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value) ?? /^()()(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65535) {
    throw new SshpodError('usage', `${what} "${value}" is not HOST:PORT`, { hint: `for example ${what} 127.0.0.1:2222 (0.0.0.0:2222 listens on every address)` });
  }
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

function readHostKey(file: string): string {
  let mode: number;
  let owner: number;
  try {
    ({ mode, uid: owner } = statSync(file));
  } catch (error) {
    throw new SshpodError('config', `cannot read the host key ${file}: ${(error as Error).message}`, { hint: 'make one with: ssh-keygen -t ed25519 -N "" -f FILE' });
  }
  if (hostKeyModeProblem(mode, owner === process.getuid?.())) {
    throw new SshpodError('config', `the host key ${file} can be read by other users (mode ${(mode & 0o777).toString(8)})`, { hint: `chmod 600 ${file} (in Kubernetes: the Secret's volume with defaultMode 0440 and the pod's fsGroup, as in deploy/gateway/)` });
  }
  return readRegularFile(file, 64 * 1024);
}

const LIMIT_FLAGS: Array<[keyof Limits, string]> = [
  ['authTimeoutSeconds', 'auth-timeout'],
  ['maxAuthTries', 'max-auth-tries'],
  ['connectionsPerMinute', 'rate'],
  ['maxConnections', 'max-connections'],
  ['maxUnauthenticated', 'max-unauthenticated'],
  ['maxSessions', 'max-sessions'],
  ['maxSessionsPerUser', 'max-sessions-per-user'],
  ['idleTimeoutSeconds', 'idle-timeout'],
  ['keepAliveSeconds', 'keepalive'],
  ['drainSeconds', 'drain'],
];
export { LIMIT_FLAGS };

export async function runGateway(options: GatewayCliOptions): Promise<never> {
  const listen = parseListen(options.listen, '--listen');
  const metricsAt = options.metrics ? parseListen(options.metrics, '--metrics') : undefined;
  const webAt = options.web ? parseListen(options.web, '--web') : undefined;
  if (webAt && options.authorization !== 'impersonate') {
    // The page lists namespaces and pods: only the cluster, acting as the person, can bound that.
    throw new SshpodError('usage', '--web needs --authorization impersonate', { hint: 'the web terminal acts as each person through impersonation; the static allow lists cannot bound what the page lists' });
  }
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const audit = new AuditLog(options.audit);
  const metrics = new Metrics();
  const kubeConfig = loadKubeConfig();
  const backend = new Backend({
    kubeConfig,
    mode: options.authorization,
    ...(options.templates ? { templatesDir: options.templates } : {}),
    onPodStart: () => metrics.add('sshpod_gateway_pod_starts_total'),
  });
  const location = usersLocation(options.users);
  const users = new UsersSource(location, location.kind === 'file' ? undefined : await backend.ownApi(), (change) => {
    if ('error' in change) audit.write({ event: 'users-reload-failed', source: describeLocation(location), reason: change.error });
    else {
      metrics.set('sshpod_gateway_users', change.users);
      audit.write({ event: 'users-loaded', source: describeLocation(location), users: change.users });
    }
  });
  await users.load();
  users.watch(options.reloadSeconds * 1000);

  let hostKeys = (options.hostKey ?? []).map(readHostKey);
  if (hostKeys.length === 0) {
    // Without a key of its own the gateway makes one for this run: clients will see a new key at
    // every start, so a deployment gives --host-key (a Secret).
    hostKeys = [generateKeyPair('sshpod-gateway').privateKey];
    process.stderr.write('sshpod: no --host-key given: using a new host key for this run (clients will be told it changed at the next start)\n');
  }
  const { utils } = await import('ssh2');
  const hostKeyFingerprints = hostKeys.map((key, i) => {
    const parsed = utils.parseKey(key);
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!first || first instanceof Error || !first.isPrivateKey()) {
      throw new SshpodError('config', `the host key ${options.hostKey?.[i] ?? ''} is not an unencrypted OpenSSH or PEM private key`, { hint: 'make one with: ssh-keygen -t ed25519 -N "" -f FILE' });
    }
    return fingerprint(first.getPublicSSH());
  });

  let web: import('./web.ts').GatewayWeb | undefined;
  const gateway = await Gateway.start({ hostKeys, users: () => users.users, backend, audit, metrics, limits, web: () => web }, listen.host, listen.port);
  if (webAt) {
    const { startGatewayWeb } = await import('./web.ts');
    web = await startGatewayWeb({ host: webAt.host, port: webAt.port, backend, users: () => users.users, audit });
  }
  const metricsServer = metricsAt ? await serveMetrics(metrics, metricsAt.host, metricsAt.port) : undefined;
  const at = gateway.address();
  audit.write({
    event: 'listening',
    address: `${at.host}:${at.port}`,
    metrics: metricsServer ? `${metricsAt?.host}:${(metricsServer.address() as { port: number }).port}` : undefined,
    web: web ? `${web.address().host}:${web.address().port}` : undefined,
    authorization: options.authorization,
    hostKey: hostKeyFingerprints.join(' '),
  });

  return new Promise<never>(() => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      audit.write({ event: 'signal', signal });
      users.stop();
      metricsServer?.close();
      void Promise.all([gateway.shutdown(), web?.close()])
        .then(() => audit.close())
        .finally(() => process.exit(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
