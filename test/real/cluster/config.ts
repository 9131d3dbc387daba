// The real lane's cluster layout and configuration, as pure functions of its directories and ports:
// where each component keeps its state (all under the run directory, none in the host's default
// places), containerd's and the kubelet's config files, the CNI network, and every command line.
// The facts behind the choices are in ../shared/real-k8s.md; real-cluster.ts does the I/O.
import { join } from 'node:path';

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  kubelet: number;
}

export interface Layout {
  /** Built binaries and images (survives runs): build-kubernetes.sh and build-images.sh write it. */
  cacheDir: string;
  /** Everything one run creates; removed by stop. */
  runDir: string;
  ports: Ports;
}

export const NODE_NAME = '127.0.0.1';
export const POD_CIDR = '10.244.0.0/24';
export const SERVICE_CIDR = '10.96.0.0/24';
export const BRIDGE = 'sshpodreal0';
export const IMAGE_PREFIX = 'sshpod.local/';
export const PAUSE_IMAGE = `${IMAGE_PREFIX}pause:test`;
export const IMAGES = ['pause', 'busybox', 'debian', 'distroless'] as const;

export function paths(layout: Layout) {
  const run = layout.runDir;
  const bin = join(layout.cacheDir, 'bin');
  return {
    bin: (name: string) => join(bin, name),
    images: join(layout.cacheDir, 'images'),
    pki: join(run, 'pki'),
    etcdData: join(run, 'etcd'),
    containerdConfig: join(run, 'containerd.toml'),
    containerdRoot: join(run, 'containerd', 'root'),
    containerdState: join(run, 'containerd', 'state'),
    containerdSocket: join(run, 'containerd', 'containerd.sock'),
    runcRoot: join(run, 'runc'),
    cniConfDir: join(run, 'cni', 'net.d'),
    cniIpamDir: join(run, 'cni', 'ipam'),
    kubeletRoot: join(run, 'kubelet'),
    kubeletConfig: join(run, 'kubelet.yaml'),
    kubeconfigs: join(run, 'kubeconfigs'),
    /** The components' logs, kept after stop (for a failure's post-mortem) until the next start. */
    logs: join(layout.cacheDir, 'logs'),
    /** Written once everything answers: the admin kubeconfig and the test users' kubeconfigs. */
    ready: join(run, 'ready.json'),
  };
}

export function containerdToml(layout: Layout): string {
  const p = paths(layout);
  const q = JSON.stringify;
  return `version = 2
root = ${q(p.containerdRoot)}
state = ${q(p.containerdState)}
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = ${q(p.containerdSocket)}

[ttrpc]
  address = ${q(`${p.containerdSocket}.ttrpc`)}

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(layout.runDir, 'containerd', 'opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(PAUSE_IMAGE)}
  # processes here lack CAP_SYS_RESOURCE: the sandbox's oom_score_adj -998 would fail runc create
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${q(p.cniConfDir)}
    max_conf_num = 1

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        Root = ${q(p.runcRoot)}
        SystemdCgroup = false
`;
}

/** A bridge with no host address, no masquerade and no iptables: pods reach each other and nothing else. */
export function cniConflist(layout: Layout): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'sshpod-real',
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          isGateway: false,
          ipMasq: false,
          hairpinMode: false,
          ipam: { type: 'host-local', ranges: [[{ subnet: POD_CIDR }]], dataDir: paths(layout).cniIpamDir },
        },
      ],
    },
    null,
    2,
  );
}

export function kubeletConfig(layout: Layout): string {
  const p = paths(layout);
  return JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: '127.0.0.1',
      port: layout.ports.kubelet,
      readOnlyPort: 0,
      healthzPort: 0,
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: join(p.pki, 'ca.crt') } },
      authorization: { mode: 'Webhook' },
      tlsCertFile: join(p.pki, 'kubelet.crt'),
      tlsPrivateKeyFile: join(p.pki, 'kubelet.key'),
      cgroupDriver: 'cgroupfs',
      failSwapOn: false,
      makeIPTablesUtilChains: false,
      // Imported images cannot be pulled back: never collect them, never evict for disk.
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      evictionHard: { 'memory.available': '1Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
      resolvConf: '/etc/resolv.conf',
      volumePluginDir: join(p.kubeletRoot, 'volume-plugins'),
      serializeImagePulls: false,
      enableControllerAttachDetach: false,
      registerNode: true,
      nodeStatusUpdateFrequency: '2s',
      syncFrequency: '5s',
    },
    null,
    2,
  );
}

export interface Command {
  name: 'etcd' | 'containerd' | 'kube-apiserver' | 'kube-controller-manager' | 'kubelet';
  file: string;
  args: string[];
}

export function commands(layout: Layout): Command[] {
  const p = paths(layout);
  const { ports } = layout;
  const pki = (f: string) => join(p.pki, f);
  const kubeconfig = (f: string) => join(p.kubeconfigs, f);
  return [
    {
      name: 'etcd',
      file: '/usr/bin/etcd',
      args: [
        '--name=sshpod-real',
        `--data-dir=${p.etcdData}`,
        `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=sshpod-real=http://127.0.0.1:${ports.etcdPeer}`,
        '--listen-metrics-urls=',
        '--log-level=warn',
        '--logger=zap',
      ],
    },
    { name: 'containerd', file: '/usr/bin/containerd', args: ['--config', p.containerdConfig] },
    {
      name: 'kube-apiserver',
      file: p.bin('kube-apiserver'),
      args: [
        `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${ports.apiserver}`,
        '--insecure-port=0',
        `--cert-dir=${join(layout.runDir, 'apiserver')}`,
        `--tls-cert-file=${pki('apiserver.crt')}`,
        `--tls-private-key-file=${pki('apiserver.key')}`,
        `--client-ca-file=${pki('ca.crt')}`,
        '--authorization-mode=Node,RBAC',
        '--anonymous-auth=false',
        `--service-account-key-file=${pki('sa.pub')}`,
        `--service-account-signing-key-file=${pki('sa.key')}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // The `kubernetes` Endpoints cannot hold a loopback address.
        '--endpoint-reconciler-type=none',
        `--kubelet-client-certificate=${pki('apiserver-kubelet-client.crt')}`,
        `--kubelet-client-key=${pki('apiserver-kubelet-client.key')}`,
        `--kubelet-certificate-authority=${pki('ca.crt')}`,
        '--kubelet-preferred-address-types=InternalIP',
        '--allow-privileged=true',
        '--profiling=false',
        '--enable-admission-plugins=NodeRestriction',
        '--v=1',
      ],
    },
    {
      name: 'kube-controller-manager',
      file: p.bin('kube-controller-manager'),
      args: [
        `--kubeconfig=${kubeconfig('controller-manager.kubeconfig')}`,
        `--authentication-kubeconfig=${kubeconfig('controller-manager.kubeconfig')}`,
        `--authorization-kubeconfig=${kubeconfig('controller-manager.kubeconfig')}`,
        '--bind-address=127.0.0.1',
        '--secure-port=0',
        '--port=0',
        `--cert-dir=${join(layout.runDir, 'controller-manager')}`,
        // With false it may not create ReplicaSets.
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki('sa.key')}`,
        `--root-ca-file=${pki('ca.crt')}`,
        '--leader-elect=false',
        '--controllers=*,-nodeipam,-service,-route,-cloud-node-lifecycle,-attachdetach,-persistentvolume-binder,-persistentvolume-expander,-pvc-protection,-pv-protection,-ttl,-bootstrapsigner,-tokencleaner,-csrsigning,-csrapproving,-csrcleaner',
        '--profiling=false',
        '--v=1',
      ],
    },
    {
      name: 'kubelet',
      file: p.bin('kubelet'),
      args: [
        `--config=${p.kubeletConfig}`,
        `--kubeconfig=${kubeconfig('kubelet.kubeconfig')}`,
        `--root-dir=${p.kubeletRoot}`,
        `--cert-dir=${join(p.kubeletRoot, 'pki')}`,
        '--container-runtime=remote',
        `--container-runtime-endpoint=unix://${p.containerdSocket}`,
        `--image-service-endpoint=unix://${p.containerdSocket}`,
        // Named after its address; no --node-ip (a loopback one is refused), so it takes 127.0.0.1 as InternalIP.
        `--hostname-override=${NODE_NAME}`,
        `--pod-infra-container-image=${PAUSE_IMAGE}`,
        '--v=1',
      ],
    },
  ];
}

/** Pod and workload specs on the real lane: the imported images, never pulled, on the one node (no scheduler). */
export function forRealCluster<T>(object: T): T {
  const copy = structuredClone(object) as unknown;
  const fixPodSpec = (spec: Record<string, unknown>): void => {
    spec['nodeName'] ??= NODE_NAME;
    spec['terminationGracePeriodSeconds'] ??= 2;
    for (const key of ['containers', 'initContainers']) {
      for (const c of (spec[key] as Record<string, unknown>[] | undefined) ?? []) {
        c['image'] = realImage(String(c['image']));
        c['imagePullPolicy'] = 'Never';
      }
    }
  };
  const visit = (o: unknown): void => {
    if (!o || typeof o !== 'object') return;
    if (Array.isArray(o)) return o.forEach(visit);
    const obj = o as Record<string, unknown>;
    const spec = obj['spec'] as Record<string, unknown> | undefined;
    if (obj['kind'] === 'Pod' && spec) fixPodSpec(spec);
    const template = (spec?.['jobTemplate'] as Record<string, unknown> | undefined)?.['spec'] ?? spec;
    const podSpec = ((template as Record<string, unknown> | undefined)?.['template'] as Record<string, unknown> | undefined)?.['spec'];
    if (podSpec && typeof podSpec === 'object') fixPodSpec(podSpec as Record<string, unknown>);
    if (obj['kind'] === 'List') visit(obj['items']);
  };
  visit(copy);
  return copy as T;
}

/** `busybox`, `docker.io/library/busybox:1.36` → `sshpod.local/busybox:test`, as the stand-in names its images by their last path element. */
export function realImage(image: string): string {
  if (image.startsWith(IMAGE_PREFIX)) return image;
  const base = image.replace(/@.*$/, '').replace(/:[^/]*$/, '').split('/').pop() ?? image;
  return `${IMAGE_PREFIX}${base}:test`;
}
