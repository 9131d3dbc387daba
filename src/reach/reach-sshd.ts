// From a parsed hostname to an open stream to the sshd of that container, for every entry point
// (the ProxyCommand, the gateway): find the pod → prepare the container → open the stream.
//
// The first connection to a hostname makes one GET (pod) or a GET and a LIST (workload), one exec
// (which installs sshd when needed) and one stream: a port-forward, or on the exec transport an
// exec of `sshd -i` (transport.ts says which, and falls back to exec when port-forward is refused).
// With a remembered endpoint (a cache), a later one goes straight to the sshd it found
// (known-sshd.ts): one stream for a pod target; for a workload, that stream opens in parallel
// with the lookups that confirm the workload still means that pod. If the remembered sshd is not
// there as it was, the exec path runs and repairs what changed.
//
// A container without a shell (distroless, scratch) cannot run the prepare script: sshpod then
// runs sshd in an ephemeral container that shares its process namespace (src/ephemeral) and gives
// sessions that container's view; the endpoint remembers it (`viewOf`), so that later cold
// connections go straight there.
import type { Duplex } from 'node:stream';
import type { KubeApi } from '../kube/api.ts';
import { openPortForward } from '../kube/port-forward.ts';
import { openExecStream } from '../kube/exec-stream.ts';
import { inetdCommand } from '../remote/inetd-sshd.ts';
import { NoShellError } from '../remote/remote-errors.ts';
import { debugImage } from '../ephemeral/debug-container.ts';
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
import { planTransport, refusesPortForward, type Transport, type TransportMemory, type TransportSetting } from './transport.ts';

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
  /** Which stream carries SSH (default auto: port-forward, exec when it is refused). */
  transport?: TransportSetting;
}

export interface Reached {
  stream: Duplex;
  sshd: SshdEndpoint;
  /** `warm`: straight to a remembered sshd; `exec`: through the prepare script. */
  path: 'warm' | 'exec';
  /** What carries the SSH stream. */
  transport: Transport;
  /** Drops the remembered endpoint (it proved not to be what it was), if there is a cache. */
  forget(): void;
}

/** The stream to an sshd sshpod prepared: a port-forward to its port, or `sshd -i` through exec. */
function openStream(api: KubeApi, sshd: SshdEndpoint, transport: Transport): Promise<Duplex & { expectFirstByte(ms: number): void }> {
  if (transport === 'port-forward') return openPortForward(api, { namespace: sshd.namespace, pod: sshd.pod, port: sshd.port });
  if (!sshd.dir) throw new Error('the exec transport needs the install directory');
  return openExecStream(api, { namespace: sshd.namespace, pod: sshd.pod, container: sshd.container, command: inetdCommand(sshd.dir) });
}

async function warmStream(api: KubeApi, request: ReachRequest, cached: SshdEndpoint | undefined, manifest: BundleManifest, transport: Transport): Promise<Duplex | undefined> {
  if (!cached || cached.login !== request.login) return undefined;
  if (transport === 'exec' && !cached.dir) return undefined;
  const version = versionsByMachine(manifest)[cached.arch];
  if (!version) return undefined;
  return openKnownSshd(() => openStream(api, cached, transport), installId(cached.podUid, cached.container, version), transport);
}

/** The container a remembered endpoint stands for: the one whose view it gives, if any. */
function servedContainer(endpoint: SshdEndpoint): TargetRef {
  return { ...endpoint, container: endpoint.viewOf ?? endpoint.container };
}

export async function reachSshd(api: KubeApi, request: ReachRequest, cache?: TargetCache, memory?: TransportMemory): Promise<Reached> {
  const { spec } = request;
  const namespace = spec.namespace ?? request.defaultNamespace;
  const cached = cache?.read(namespace, request.host);
  const forget = (): void => cache?.forget(namespace, request.host);
  const manifest = loadManifest();
  const plan = planTransport(request.transport ?? 'auto', memory?.refusedAt(), Date.now());
  log.debug(`transport: ${plan.first} first (${plan.why})`);
  let transport = plan.first;
  const known = warmStream(api, request, cached, manifest, transport);

  let target: TargetRef | undefined;
  let warm: Duplex | undefined;
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
      if (!usable(warm) || !sameContainer(target, servedContainer(cached))) {
        warm?.destroy();
        warm = undefined;
      }
    }
  }
  log.info(`${spec.kind} ${spec.name} → pod ${target.pod}, container ${target.container}, namespace ${target.namespace}`);

  let reached: Reached;
  if (cached && usable(warm)) {
    reached = { stream: warm, sshd: cached, path: 'warm', transport, forget };
  } else {
    warm?.destroy();
    const prepare = (where: TargetRef, viewOf?: string) =>
      prepareContainer(api, manifest, {
        ...where,
        login: request.login,
        authorizedKey: request.authorizedKey,
        host: request.host,
        idleSeconds: request.idleSeconds,
        ...(viewOf === undefined ? {} : { viewOf }),
      });
    // A container remembered as having no shell goes straight to its ephemeral container.
    const knownView = cached?.viewOf !== undefined && sameContainer(target, servedContainer(cached));
    let where = target;
    let viewOf: string | undefined;
    let ready: Awaited<ReturnType<typeof prepareContainer>> | undefined;
    if (!knownView) {
      try {
        ready = await prepare(target);
      } catch (error) {
        if (!(error instanceof NoShellError)) throw error;
        log.debug(`${describeTarget(target)} has no shell: its view through an ephemeral container`);
      }
    }
    if (!ready) {
      const { ensureDebugContainer } = await import('../ephemeral/ensure-debug-container.ts');
      viewOf = target.container;
      where = { ...target, container: await ensureDebugContainer(api, target, debugImage()) };
      ready = await prepare(where, viewOf);
    }
    log.info(`sshd listens on 127.0.0.1:${ready.port} in ${ready.dir}${viewOf ? ` (container ${where.container}, in the view of ${viewOf})` : ''}`);
    if (!isEd25519PublicKey(ready.hostKey)) {
      throw new SshpodError('container', `the sshd in ${describeTarget(where)} reported an invalid host key`, { hint: 'run again with --log-level debug' });
    }
    const sshd: SshdEndpoint = { ...where, port: ready.port, arch: ready.arch, hostKey: ready.hostKey, login: request.login, dir: ready.dir, ...(viewOf ? { viewOf } : {}) };
    let stream: (Duplex & { expectFirstByte(ms: number): void }) | undefined;
    if (transport === 'port-forward') {
      try {
        stream = await openStream(api, sshd, 'port-forward');
      } catch (error) {
        if (!refusesPortForward(error)) throw error;
        if (!plan.fallBack) {
          const refused = error as SshpodError;
          throw new SshpodError(refused.kind, refused.message, { hint: `${refused.hint ?? 'ask your cluster admin for port-forward'}; or carry SSH over exec instead: SSHPOD_TRANSPORT=exec`, cause: error });
        }
        log.debug(`transport: exec, because the cluster refused port-forward (${(error as Error).message}); remembered for this context`);
        memory?.rememberRefusal(Date.now());
        transport = 'exec';
      }
    }
    stream ??= await openStream(api, sshd, transport);
    log.debug(`transport: ${transport}${'protocol' in stream ? ` (${String(stream.protocol)})` : ''}`);
    stream.expectFirstByte(stepTimeoutMs());
    reached = { stream, sshd, path: 'exec', transport, forget };
  }
  if (cache && (!cached || !sameEndpoint(cached, reached.sshd))) cache.write(namespace, request.host, reached.sshd);
  return reached;
}
