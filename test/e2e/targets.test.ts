// What a hostname can name: pods, workloads (deployment, statefulset, daemonset, replicaset, job), a
// container, a namespace, a context — including names a hostname cannot spell directly.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { container, e2eSkipReason, pod, startE2E, type E2E } from './harness.ts';

const template = (labels: Record<string, string>): object => ({
  metadata: { labels },
  spec: { containers: [container('app', 'busybox')] },
});

const unsafeContext = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod';

describe('sshpod targets', { skip: e2eSkipReason() }, () => {
  let e: E2E;
  before(async () => {
    e = await startE2E({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
        pod('api', { containers: [container('main', 'busybox')] }, { namespace: 'shop' }),
        pod('web.v2', { containers: [container('main', 'busybox')] }),
        pod('two', { containers: [container('app', 'busybox'), container('sidecar', 'busybox')] }),
        pod('annotated', { containers: [container('app', 'busybox'), container('sidecar', 'busybox')] }, { annotations: { 'kubectl.kubernetes.io/default-container': 'sidecar' } }),
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) } },
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: 'db' },
          spec: { replicas: 2, serviceName: 'db', selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] }, template: template({ app: 'db' }) },
        },
        { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }) } },
        { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [container('job', 'busybox', { command: ['sleep', '3600'] })] } } } },
      ],
      kubeconfigContexts: {
        contexts: [
          { name: 'default-ns', user: 'admin', namespace: 'default' },
          { name: 'shop-ns', user: 'admin', namespace: 'shop' },
          { name: unsafeContext, user: 'dev', namespace: 'shop' },
        ],
        currentContext: 'default-ns',
      },
    });
  });
  after(async () => {
    await e?.stop();
  });

  const hostname = async (host: string): Promise<string> => {
    const result = await e.ssh(`root@${host}`, ['cat /etc/hostname']);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  };

  test('a pod in another namespace', async () => {
    assert.equal(await hostname('pod--api.namespace--shop.sshpod'), 'api');
  });

  test('a pod whose name has a dot', async () => {
    assert.equal(await hostname('pod--web.v2.sshpod'), 'web.v2');
  });

  test('the namespace comes from the context when the hostname has none', async () => {
    assert.equal(await hostname('pod--api.context--shop-ns.sshpod'), 'api');
  });

  test('a context whose name a hostname cannot spell, by its alias (and a certificate user)', async () => {
    assert.equal(await hostname('pod--api.context--arn-aws-eks-eu-west-1-123456789012-cluster-prod.sshpod'), 'api');
  });

  test('a deployment: a ready pod of it, the same one every time', async () => {
    const first = await hostname('deployment--web.sshpod');
    assert.match(first, /^web-[a-z0-9]+-[a-z0-9]{5}$/);
    assert.equal(await hostname('deploy--web.sshpod'), first);
    assert.equal(await hostname('deployment--web.namespace--default.sshpod'), first);
    // Seen before: the port-forward to its sshd ran alongside the lookups, which confirmed the pod.
    e.cluster.clearRequests();
    const again = await e.ssh('root@deployment--web.sshpod', ['cat /etc/hostname'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(again.stdout.trim(), first);
    assert.match(again.stderr, /remembered sshd answered with its install id/);
    assert.equal(e.cluster.requests({ subresource: 'exec' }).length, 0, 'no exec');
  });

  test('a deployment whose remembered pod is gone: the lookups pick another, and it works', async () => {
    const first = await hostname('deployment--web.sshpod');
    await e.cluster.delete('pods', 'default', first, { wait: true });
    const again = await e.ssh('root@deployment--web.sshpod', ['cat /etc/hostname'], { env: { SSHPOD_LOG_LEVEL: 'debug' } });
    assert.equal(again.code, 0, again.stderr);
    assert.notEqual(again.stdout.trim(), first);
    assert.match(again.stderr, /remembered sshd( not found|: port-forward failed)/);
  });

  test('a statefulset: its first ordinal', async () => {
    assert.equal(await hostname('statefulset--db.sshpod'), 'db-0');
  });

  test('a daemonset: its pod on the node', async () => {
    const onNode = await hostname('daemonset--agent.namespace--shop.sshpod');
    assert.match(onNode, /^agent-[a-z0-9]{5}$/);
    assert.equal(await hostname('ds--agent.ns--shop.sshpod'), onNode);
  });

  test('a replicaset', async () => {
    const rs = e.cluster.list('replicasets', 'default').find((r) => r.metadata.name?.startsWith('web-'));
    assert.ok(rs?.metadata.name);
    assert.match(await hostname(`replicaset--${rs.metadata.name}.sshpod`), /^web-/);
  });

  test('a job', async () => {
    assert.match(await hostname('job--migrate.sshpod'), /^migrate-[a-z0-9]{5}$/);
  });

  test('container-- picks a container; the annotation names the default', async () => {
    const named = await e.ssh('root@container--sidecar.pod--two.sshpod', ['echo "$HOSTNAME"; ls /tmp/sshpod/*/']);
    assert.equal(named.code, 0, named.stderr);
    assert.match(named.stdout, /^sidecar$/m);
    const annotated = await e.ssh('root@pod--annotated.sshpod', ['ls /tmp/sshpod/*/']);
    assert.equal(annotated.code, 0, annotated.stderr);
    assert.match(annotated.stdout, /^sidecar$/m);
  });
});
