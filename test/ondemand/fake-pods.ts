// A stand-in API server holding pods, for unit tests of the on-demand lifecycle: create (name or
// generateName, AlreadyExists), get, merge patch and delete with kube-apiserver's optimistic
// concurrency (resourceVersion, uid and resourceVersion preconditions → 409), list by label.
// `onCreate` decides the status a new pod gets (Running by default); `beforeWrite` lets a test
// slip another client's write in between a read and a write.
import type { KubeApi, HttpMethod, RequestOptions } from '../../src/kube/api.ts';
import type { Operation } from '../../src/kube/api-error.ts';
import { apiError } from '../../src/kube/api-error.ts';
import type { Pod } from '../../src/kube/types.ts';

export class FakePods implements KubeApi {
  readonly server = new URL('https://fake.invalid');
  readonly context = 'fake';
  readonly pods = new Map<string, Pod>();
  readonly log: string[] = [];
  private version = 1;
  private names = 0;
  onCreate: (pod: Pod) => Pod['status'] = () => ({ phase: 'Running', containerStatuses: [{ name: 'main', state: { running: {} } }] });
  beforeWrite: (() => void) | undefined;

  private fail(code: number, message: string, operation: Operation): never {
    throw apiError(code, JSON.stringify({ kind: 'Status', message, code }), operation, this.context);
  }

  bump(pod: Pod): void {
    pod.metadata.resourceVersion = String(++this.version);
  }

  async request<T>(method: HttpMethod, path: string, operation: Operation, options: RequestOptions = {}): Promise<T> {
    this.log.push(`${method} ${path}`);
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/(pods|events)(?:\/([^/]+))?$/.exec(path);
    if (!match) this.fail(404, `no ${path}`, operation);
    const [, namespace, kind, name] = match as unknown as [string, string, string, string | undefined];
    if (kind === 'events') return { items: [] } as T;
    const key = (n: string): string => `${namespace}/${n}`;
    if (method === 'POST') {
      const body = structuredClone(options.body) as Pod & { metadata: { generateName?: string } };
      const podName = body.metadata.name ?? `${body.metadata.generateName}${String(++this.names).padStart(5, 'x')}`;
      if (this.pods.has(key(podName))) this.fail(409, `pods "${podName}" already exists`, operation);
      const pod: Pod = { ...body, metadata: { ...body.metadata, name: podName, namespace, uid: `uid-${podName}-${this.version}` } };
      pod.status = this.onCreate(pod);
      this.bump(pod);
      this.pods.set(key(podName), pod);
      return structuredClone(pod) as T;
    }
    if (name === undefined) {
      const selector = options.query?.get('labelSelector');
      return { items: [...this.pods.values()].filter((pod) => !selector || selector.split(',').every((s) => pod.metadata.labels?.[s.split('=')[0] as string] === s.split('=')[1])) } as T;
    }
    const pod = this.pods.get(key(name));
    if (!pod) this.fail(404, `pods "${name}" not found`, operation);
    if (method === 'GET') return structuredClone(pod) as T;
    this.beforeWrite?.();
    if (method === 'PATCH') {
      const patch = options.body as { metadata: { resourceVersion?: string; annotations?: Record<string, string | null> } };
      if (patch.metadata.resourceVersion && patch.metadata.resourceVersion !== pod.metadata.resourceVersion) this.fail(409, 'the object has been modified', operation);
      const annotations = { ...pod.metadata.annotations };
      for (const [k, v] of Object.entries(patch.metadata.annotations ?? {})) {
        if (v === null) delete annotations[k];
        else annotations[k] = v;
      }
      pod.metadata.annotations = annotations;
      this.bump(pod);
      return structuredClone(pod) as T;
    }
    if (method === 'DELETE') {
      const pre = (options.body as { preconditions?: { uid?: string; resourceVersion?: string } }).preconditions ?? {};
      if (pre.uid && pre.uid !== pod.metadata.uid) this.fail(409, 'Precondition failed: UID', operation);
      if (pre.resourceVersion && pre.resourceVersion !== pod.metadata.resourceVersion) this.fail(409, 'Precondition failed: ResourceVersion', operation);
      this.pods.delete(key(name));
      return structuredClone(pod) as T;
    }
    this.fail(405, 'method not allowed', operation);
  }

  get<T>(path: string, operation: Operation, query?: URLSearchParams): Promise<T> {
    return this.request<T>('GET', path, operation, query ? { query } : {});
  }

  openWebSocket(): never {
    throw new Error('no streams here');
  }
}
