// Gets sshd running in the container with ONE exec: the script checks everything and answers
// `ready` when sshd runs; otherwise it answers `need-install` and, in the same exec, receives the
// pod's host key, sshd_config and sshd that sshpod sends back (again, for the next directory,
// if the first could not take them). Every wait for the container is bounded by the step
// timeout; the script says `waiting` while another connection holds its lock.
import type { KubeApi } from '../kube/api.ts';
import { startExec, type ExecSession } from '../kube/exec.ts';
import { generateKeyPair } from '../ssh/openssh-key.ts';
import { SshpodError } from '../errors.ts';
import { log } from '../log.ts';
import { SSHPOD_VERSION } from '../version.ts';
import { seconds, stepTimeoutMs, TIMEOUT_HINT } from '../timeout.ts';
import { describeTarget, type TargetRef } from '../target/target-ref.ts';
import { lookUpPod, podGoneError } from '../resolve/pod-fate.ts';
import { candidatePorts, prepareCommand } from './script.ts';
import { ReplyFormatError, ReplyReader, type Reply } from './reply.ts';
import { bundleVersion, readBundle, targetForMachine, versionsByMachine, type BundleManifest } from './bundles.ts';
import { installId } from './install-id.ts';
import { renderSshdConfig } from './sshd-config.ts';
import { sessionEnvironment, viewEnvironment } from './environment.ts';
import { renderInstallPayload } from './install-payload.ts';
import { execError, scriptError, type Where } from './remote-errors.ts';

export type Ready = Extract<Reply, { status: 'ready' }>;

export interface PrepareRequest extends TargetRef {
  login: string;
  /** The public key line sshd must accept for the login. */
  authorizedKey: string;
  /** The hostname as ssh was given it, for messages. */
  host: string;
  /** Seconds without a connection after which sshd exits and removes its files (0: never). */
  idleSeconds?: number;
  /** `container` is sshpod's ephemeral container for this container without a shell, whose view
   *  the sessions get (src/ephemeral; the script's view mode). */
  viewOf?: string;
}

/** The script tries each candidate directory once; a few retries cover any real container. */
const MAX_INSTALLS = 6;

async function install(session: ExecSession, reply: Extract<Reply, { status: 'need-install' }>, request: PrepareRequest, manifest: BundleManifest): Promise<void> {
  const target = targetForMachine(manifest, reply.arch);
  const bundle = readBundle(target, reply.gzip);
  const environment = sessionEnvironment(reply.environ);
  const sshdConfig = renderSshdConfig({
    environment: reply.view ? viewEnvironment(environment, reply.view.tools, reply.view.path) : environment,
    sshpodVersion: SSHPOD_VERSION,
    installId: installId(request.podUid, request.container, bundleVersion(manifest, target)),
    ...(reply.view ? { chrootDirectory: reply.view.root } : {}),
  });
  // This pod's own host key: what another pod learns can never vouch for this one. The script
  // keeps an existing key (other people may have pinned it) and ignores this one then.
  const hostKey = generateKeyPair(`sshpod@${request.namespace}/${request.pod}/${request.container}`);
  const payload = renderInstallPayload({ hostPrivateKey: hostKey.privateKey, hostPublicKey: hostKey.publicKey, sshdConfig, bundle });
  log.debug(`installing sshd for ${reply.arch} in ${reply.dir} (${bundle.format}, ${payload.length} bytes)`);
  await session.write(payload);
}

export async function prepareContainer(api: KubeApi, manifest: BundleManifest, request: PrepareRequest): Promise<Ready> {
  const where: Where = { ...request };
  const timeoutMs = stepTimeoutMs();
  const { command, script } = prepareCommand({
    podUid: request.podUid,
    container: request.container,
    login: request.login,
    versions: versionsByMachine(manifest),
    publicKey: request.authorizedKey,
    ports: candidatePorts(),
    idleSeconds: request.idleSeconds,
    view: request.viewOf !== undefined,
  });
  const session = await startExec(api, { namespace: request.namespace, pod: request.pod, container: request.container, stdin: true, command });
  log.debug(`exec protocol ${session.protocol}`);
  // The bootstrap reads the script first; a failed write shows up as the exec's end.
  session.write(script).catch(() => undefined);

  return new Promise<Ready>((resolve, reject) => {
    let answered = false;
    let installs = 0;
    let timer: NodeJS.Timeout | undefined;
    const settle = (outcome: Ready | Error): void => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      if (outcome instanceof Error) {
        session.close();
        reject(outcome);
      } else {
        resolve(outcome);
      }
    };
    // Each answer (and each install sent) restarts the clock: a step, not the whole exec, is bounded.
    const expectAnswer = (step: string): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        settle(new SshpodError('timeout', `${describeTarget(request)} did not answer within ${seconds(timeoutMs)} (${step})`, { hint: TIMEOUT_HINT }));
      }, timeoutMs);
    };
    expectAnswer('checking the container');
    const reader = new ReplyReader();
    session.onStdout((chunk) => {
      if (answered) return;
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
        else if (reply.status === 'waiting') expectAnswer(`waiting for another connection that is preparing it (${reply.reason})`);
        else if (++installs > MAX_INSTALLS) settle(new SshpodError('container', `${describeTarget(request)}: sshd could not be installed in any directory`, { hint: 'run again with --log-level debug' }));
        else {
          expectAnswer('installing sshd');
          install(session, reply, request, manifest).catch((error: unknown) => settle(error instanceof Error ? error : new Error(String(error))));
        }
      }
    });
    void session.result.then(async (result) => {
      if (answered) return;
      log.debug(`exec ended without an answer: exit ${result.exitCode}, status ${JSON.stringify(result.status)}, stderr ${result.stderr.slice(0, 500)}`);
      // A pod deleted meanwhile ends the exec with whatever the runtime says: look before explaining.
      const gone = podGoneError(request, await lookUpPod(api, request), 'while sshpod was preparing it');
      settle(gone ?? execError(result, where));
    });
  });
}
