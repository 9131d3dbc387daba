// Gets sshd running in the container with ONE exec: the script checks everything and answers
// `ready` when sshd runs; otherwise it answers `need-install` and, in the same exec, receives the
// host key, sshd_config and sshd that sshpod sends back.
import type { ApiConnection } from '../kube/connection.ts';
import { startExec, type ExecSession } from '../kube/exec.ts';
import type { SshpodKeys } from '../ssh/keys.ts';
import { SshpodError } from '../errors.ts';
import { log } from '../log.ts';
import { SSHPOD_VERSION } from '../version.ts';
import { candidatePorts, prepareCommand } from './script.ts';
import { ReplyFormatError, ReplyReader, type Reply } from './reply.ts';
import { bundleVersion, readBundle, targetForMachine, versionsByMachine, type BundleManifest } from './bundles.ts';
import { installId } from './install-id.ts';
import { renderSshdConfig } from './sshd-config.ts';
import { sessionEnvironment } from './environment.ts';
import { renderInstallPayload } from './install-payload.ts';
import { execError, scriptError, type Where } from './remote-errors.ts';

export type Ready = Extract<Reply, { status: 'ready' }>;

export interface PrepareRequest {
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
  login: string;
  keys: SshpodKeys;
  host: string;
}

async function install(
  session: ExecSession,
  reply: Extract<Reply, { status: 'need-install' }>,
  request: PrepareRequest,
  manifest: BundleManifest,
): Promise<void> {
  const target = targetForMachine(manifest, reply.arch);
  const bundle = readBundle(target, reply.gzip);
  const sshdConfig = renderSshdConfig({
    dir: reply.dir,
    environment: sessionEnvironment(reply.environ),
    sshpodVersion: SSHPOD_VERSION,
    installId: installId(request.podUid, request.container, bundleVersion(manifest, target)),
  });
  const payload = renderInstallPayload({
    hostPrivateKey: request.keys.host.privateKey,
    hostPublicKey: request.keys.host.publicKey,
    sshdConfig,
    bundle,
  });
  log.debug(`installing sshd for ${reply.arch} in ${reply.dir} (${bundle.format}, ${payload.length} bytes)`);
  await session.write(payload);
  session.closeStdin();
}

export async function prepareContainer(connection: ApiConnection, manifest: BundleManifest, request: PrepareRequest): Promise<Ready> {
  const where: Where = { pod: request.pod, container: request.container, namespace: request.namespace, host: request.host };
  const session = await startExec(connection, {
    namespace: request.namespace,
    pod: request.pod,
    container: request.container,
    stdin: true,
    command: prepareCommand({
      podUid: request.podUid,
      container: request.container,
      login: request.login,
      versions: versionsByMachine(manifest),
      publicKey: request.keys.client.publicKey,
      ports: candidatePorts(),
    }),
  });
  log.debug(`exec protocol ${session.protocol}`);

  return new Promise<Ready>((resolve, reject) => {
    let answered = false;
    const settle = (outcome: Ready | Error): void => {
      if (answered) return;
      answered = true;
      if (outcome instanceof Error) {
        session.close();
        reject(outcome);
      } else {
        resolve(outcome);
      }
    };
    const reader = new ReplyReader();
    session.onStdout((chunk) => {
      let replies: Reply[];
      try {
        replies = reader.push(chunk);
      } catch (error) {
        const message = error instanceof ReplyFormatError ? error.message : String(error);
        settle(new SshpodError('container', `the container answered sshpod in an unexpected way: ${message}`, { hint: 'run again with --log-level debug' }));
        return;
      }
      for (const reply of replies) {
        log.debug(`remote: ${reply.status}${reply.status === 'error' ? ` ${reply.error}: ${reply.message}` : ''}`);
        if (reply.status === 'ready') settle(reply);
        else if (reply.status === 'error') settle(scriptError(reply, where));
        else install(session, reply, request, manifest).catch((error: unknown) => settle(error instanceof Error ? error : new Error(String(error))));
      }
    });
    void session.result.then((result) => {
      if (answered) return;
      log.debug(`exec ended without an answer: exit ${result.exitCode}, status ${JSON.stringify(result.status)}, stderr ${result.stderr.slice(0, 500)}`);
      settle(execError(result, where));
    });
  });
}
