// The pod made from a template: what it says about itself (labels, annotations), its name, and
// the safeguard around the command of the container sshpod connects to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderPod, podNamePrefix, type RenderRequest } from '../../src/ondemand/render-pod.ts';
import { templateFromDocument } from '../../src/ondemand/template.ts';
import { SshpodError } from '../../src/errors.ts';

const now = new Date('2025-01-02T03:04:05Z');

function request(document: unknown, extra: Partial<RenderRequest> = {}): RenderRequest {
  return {
    template: templateFromDocument(document, 'box', '/t/box.yaml'),
    options: { shared: false, idleSeconds: 120 },
    namespace: 'tools',
    owner: { local: 'alice@laptop.example', kubeUser: 'alice-eks' },
    hostname: 'template--box.namespace--tools.sshpod',
    watchdogScript: 'WATCHDOG',
    now,
    ...extra,
  };
}

test('labels and annotations say sshpod made it, for whom, from what, when', () => {
  const { manifest, container } = renderPod(request({ metadata: { labels: { team: 'a' }, annotations: { keep: 'me' } }, spec: { containers: [{ name: 'main', image: 'busybox' }] } }));
  assert.equal(container, 'main');
  assert.deepEqual(manifest.metadata.labels, { team: 'a', 'app.kubernetes.io/managed-by': 'sshpod', 'sshpod/template': 'box', 'sshpod/owner': 'alice_laptop.example' });
  assert.deepEqual(manifest.metadata.annotations, {
    keep: 'me',
    'sshpod/owner': 'alice@laptop.example',
    'sshpod/kube-user': 'alice-eks',
    'sshpod/hostname': 'template--box.namespace--tools.sshpod',
    'sshpod/container': 'main',
    'sshpod/created-at': '2025-01-02T03:04:05.000Z',
    'sshpod/idle-timeout': '120',
  });
  assert.equal(manifest.metadata.generateName, 'sshpod-box-');
  assert.equal(manifest.metadata.name, undefined);
  assert.equal(manifest.metadata.namespace, 'tools');
  assert.equal(manifest.spec['restartPolicy'], 'Never');
});

test('the safeguard runs as the command, the template command beneath it', () => {
  const { manifest } = renderPod(request({ spec: { restartPolicy: 'Always', containers: [{ name: 'main', image: 'x', command: ['python', '-m'], args: ['http.server'] }] } }));
  const containers = manifest.spec['containers'] as Array<{ command?: string[]; args?: string[] }>;
  assert.deepEqual(containers[0]?.command, ['sh', '-c', 'WATCHDOG', 'sshpod-watchdog', '120', 'python', '-m', 'http.server']);
  assert.equal(containers[0]?.args, undefined);
  assert.equal(manifest.spec['restartPolicy'], 'Never');
});

test('only the container sshpod connects to is wrapped; idle-timeout 0 wraps none', () => {
  const doc = { metadata: { annotations: { 'kubectl.kubernetes.io/default-container': 'shell' } }, spec: { containers: [{ name: 'side', image: 'x', command: ['run'] }, { name: 'shell', image: 'y' }] } };
  const { manifest, container } = renderPod(request(doc));
  const containers = manifest.spec['containers'] as Array<{ command?: string[] }>;
  assert.equal(container, 'shell');
  assert.deepEqual(containers[0]?.command, ['run']);
  assert.deepEqual(containers[1]?.command?.slice(3), ['sshpod-watchdog', '120']);
  const off = renderPod(request(doc, { options: { shared: false, idleSeconds: 0 } }));
  assert.deepEqual((off.manifest.spec['containers'] as Array<{ command?: string[] }>)[1]?.command, undefined);
  assert.equal(renderPod(request(doc, { container: 'side' })).container, 'side');
});

test('args without a command cannot go under the safeguard (the entrypoint is not known)', () => {
  assert.throws(() => renderPod(request({ spec: { containers: [{ name: 'main', image: 'x', args: ['--serve'] }] } })), (error: SshpodError) => /gives args but no command/.test(error.message) && /sshpod\/idle-timeout: "0"/.test(error.hint ?? ''));
});

test('which container: a missing one is named, several need a choice', () => {
  const two = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
  assert.throws(() => renderPod(request(two)), (error: SshpodError) => /template "box" has 2 containers \(a, b\); say which one/.test(error.message) && /container--a\.template--box\.sshpod/.test(error.hint ?? ''));
  assert.throws(() => renderPod(request(two, { container: 'c' })), /template "box" has no container "c"; its containers: a, b/);
});

test('a shared template gets a name from what it is shared for, and its first holder', () => {
  const { manifest } = renderPod(request({ spec: { containers: [{ name: 'main', image: 'x' }] } }, { shared: { key: '0123456789abcdef0123', holder: '42-abcd' } }));
  assert.equal(manifest.metadata.name, 'sshpod-box-0123456789');
  assert.equal(manifest.metadata.generateName, undefined);
  assert.equal(manifest.metadata.labels['sshpod/share'], '0123456789abcdef0123');
  assert.equal(manifest.metadata.annotations['sshpod/holders'], '42-abcd');
});

test('a long template name still makes a valid prefix', () => {
  assert.equal(podNamePrefix('a'.repeat(63)).length, 'sshpod-'.length + 50 + 1);
  assert.equal(podNamePrefix(`${'a'.repeat(49)}-b`), `sshpod-${'a'.repeat(49)}-`);
});
