// From a parsed hostname to an open stream to the sshd of that container, for every entry point
// (the ProxyCommand, the gateway): find the pod → prepare the container → open the port-forward.
//
// The first connection to a hostname makes one GET (pod) or a GET and a LIST (workload), one exec
// (which installs sshd when needed) and one port-forward. With a remembered endpoint (a cache), a
// later one goes straight to the sshd it found (known-sshd.ts): one port-forward for a pod target;
// for a workload, that port-forward runs in parallel with the lookups that confirm the workload
// still means that pod. If the remembered sshd is not there as it was, the exec path runs and
// repairs what changed.
import type { KubeApi } from '../kube/api.ts';
import { openPortForward, type PortForwardStream } from '../kube/port-forward.ts';
import { resolveTarget } from '../resolve/resolve-target.ts';
import { prepareContainer } from '../remote/prepare-container.ts';
import { installId } from '../remote/install-id.ts';
import { loadManifest, versionsByMachine, type BundleManifest } from '../remote/bundles.ts';
import { isEd25519PublicKey } from '../ssh/openssh-key.ts';
import type { TargetSpec } from '../target/hostname.ts';
import { describeTarget, sameContainer, type TargetRef } from '../target/target-ref.ts';
import { SshpodError } from '../errors.ts';
import { log } from '../log.ts';
import { stepTimeoutMs } from '../timeout.ts';
import { openKnownSshd, usable } from './known-sshd.ts';
import { sameEndpoint, type SshdEndpoint, type TargetCache } from './target-cache.ts';

export interface ReachRequest {
  spec: TargetSpec;
  /** The hostname as given, for messages and the remembered endpoints. */
  host: string;
  login: string;
  /** The public key line the pod's sshd must accept for the login. */
  authorizedKey: string;
  /** The namespace of the context, for hostnames that name none. */
  defaultNamespace: string;
  /** Seconds without a connection after which sshd exits (0: never). */
  idleSeconds?: number;
}

export interface Reached {
  stream: PortForwardStream;
  sshd: SshdEndpoint;
  /** `warm`: straight to a remembered sshd; `exec`: through the prepare script. */
  path: 'warm' | 'exec';
  /** Drops the remembered endpoint (it proved not to be what it was), if there is a cache. */
  forget(): void;
}

async function warmStream(api: KubeApi, request: ReachRequest, cached: SshdEndpoint | undefined, manifest: BundleManifest): Promise<PortForwardStream | undefined> {
  if (!cached || cached.login !== request.login) return undefined;
  const version = versionsByMachine(manifest)[cached.arch];
  if (!version) return undefined;
  return openKnownSshd(api, { namespace: cached.namespace, pod: cached.pod, port: cached.port, installId: installId(cached.podUid, cached.container, version) });
}

export async function reachSshd(api: KubeApi, request: ReachRequest, cache?: TargetCache): Promise<Reached> {
  const { spec } = request;
  const namespace = spec.namespace ?? request.defaultNamespace;
  const cached = cache?.read(namespace, request.host);
  const forget = (): void => cache?.forget(namespace, request.host);
  const manifest = loadManifest();
  const known = warmStream(api, request, cached, manifest);

  let target: TargetRef | undefined;
  let warm: PortForwardStream | undefined;
  if (cached && spec.kind === 'pod') {
    // The sshd's install id names the pod uid and container: nothing needs looking up.
    warm = await known;
    if (usable(warm)) target = cached;
  }
  if (!target) {
    target = await resolveTarget(api, spec, request.defaultNamespace).catch(async (error: unknown) => {
      (await known)?.destroy();
      throw error;
    });
    if (cached && spec.kind !== 'pod') {
      warm = await known;
      // The stream waited while the lookups ran; it may have broken meanwhile.
      if (!usable(warm) || !sameContainer(target, cached)) {
        warm?.destroy();
        warm = undefined;
      }
    }
  }
  log.info(`${spec.kind} ${spec.name} → pod ${target.pod}, container ${target.container}, namespace ${target.namespace}`);

  let reached: Reached;
  if (cached && usable(warm)) {
    reached = { stream: warm, sshd: cached, path: 'warm', forget };
  } else {
    warm?.destroy();
    const ready = await prepareContainer(api, manifest, {
      ...target,
      login: request.login,
      authorizedKey: request.authorizedKey,
      host: request.host,
      idleSeconds: request.idleSeconds,
    });
    log.info(`sshd listens on 127.0.0.1:${ready.port} in ${ready.dir}`);
    if (!isEd25519PublicKey(ready.hostKey)) {
      throw new SshpodError('container', `the sshd in ${describeTarget(target)} reported an invalid host key`, { hint: 'run again with --log-level debug' });
    }
    const sshd: SshdEndpoint = { ...target, port: ready.port, arch: ready.arch, hostKey: ready.hostKey, login: request.login };
    const stream = await openPortForward(api, { namespace: target.namespace, pod: target.pod, port: ready.port });
    stream.expectFirstByte(stepTimeoutMs());
    reached = { stream, sshd, path: 'exec', forget };
  }
  if (cache && (!cached || !sameEndpoint(cached, reached.sshd))) cache.write(namespace, request.host, reached.sshd);
  return reached;
}
