// Templates in every shape people write pod templates in for kubectl, and the words for the ones
// that cannot be used; the sshpod options a template's annotations carry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { templateFromDocument } from '../../src/ondemand/template.ts';
import { templateOptions, DEFAULT_POD_IDLE_SECONDS } from '../../src/ondemand/template-options.ts';
import { SshpodError } from '../../src/errors.ts';

const spec = { containers: [{ name: 'main', image: 'busybox' }] };
const metadata = { labels: { team: 'tools' }, annotations: { note: 'x' } };

const shapes: Array<[string, unknown]> = [
  ['a Pod', { apiVersion: 'v1', kind: 'Pod', metadata, spec }],
  ['a PodTemplate', { apiVersion: 'v1', kind: 'PodTemplate', template: { metadata, spec } }],
  ['a Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 3, template: { metadata, spec } } }],
  ['a Job', { apiVersion: 'batch/v1', kind: 'Job', spec: { template: { metadata, spec } } }],
  ['a CronJob', { apiVersion: 'batch/v1', kind: 'CronJob', spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { metadata, spec } } } } }],
  ['a PodTemplateSpec', { metadata, spec }],
];

for (const [what, document] of shapes) {
  test(`${what} is a template`, () => {
    const template = templateFromDocument(document, 'box', '/t/box.yaml');
    assert.deepEqual(template.spec, spec);
    assert.deepEqual(template.labels, metadata.labels);
    assert.deepEqual(template.annotations, metadata.annotations);
    assert.equal(template.name, 'box');
    assert.equal(template.source, '/t/box.yaml');
  });
}

test('a bare pod spec is a template, and a namespace in the metadata is kept', () => {
  assert.deepEqual(templateFromDocument(spec, 'box', 'f').spec, spec);
  assert.equal(templateFromDocument({ kind: 'Pod', metadata: { namespace: 'tools' }, spec }, 'box', 'f').namespace, 'tools');
});

const unusable: Array<[string, unknown, RegExp]> = [
  ['a list', [spec], /it is not a YAML map/],
  ['a Service', { kind: 'Service', spec: {} }, /kind Service holds no pod template/],
  ['no containers', { spec: { containers: [] } }, /its pod spec has no containers/],
  ['a container without image', { spec: { containers: [{ name: 'main' }] } }, /container "main" has no image/],
  ['a bad container name', { spec: { containers: [{ name: 'Main', image: 'x' }] } }, /container 1 has no valid name/],
  ['two containers of one name', { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] } }, /two containers are named "a"/],
  ['a command that is not a list', { spec: { containers: [{ name: 'a', image: 'x', command: 'sleep 1' }] } }, /the command of container "a" is not a list of strings/],
  ['a label that is a number', { metadata: { labels: { tier: 1 } }, spec }, /label "tier" is not a string/],
  ['a Deployment without a template', { kind: 'Deployment', spec: {} }, /the Deployment has no spec\.template/],
  ['something else', { hello: 'world' }, /neither a Pod, a pod template nor a pod spec/],
];

for (const [what, document, message] of unusable) {
  test(`${what} is refused with words naming the template`, () => {
    assert.throws(
      () => templateFromDocument(document, 'box', '/t/box.yaml'),
      (error: unknown) => error instanceof SshpodError && error.kind === 'config' && /^template "box" \(\/t\/box\.yaml\) cannot be used: /.test(error.message) && message.test(error.message) && error.hint !== undefined,
    );
  });
}

test('template options: shared and the safeguard time from annotations', () => {
  const withAnnotations = (annotations: Record<string, string>) => templateFromDocument({ metadata: { annotations }, spec }, 'box', 'f');
  assert.deepEqual(templateOptions(withAnnotations({})), { shared: false, idleSeconds: DEFAULT_POD_IDLE_SECONDS });
  assert.deepEqual(templateOptions(withAnnotations({ 'sshpod/shared': 'true', 'sshpod/idle-timeout': '30' })), { shared: true, idleSeconds: 30 });
  assert.deepEqual(templateOptions(withAnnotations({ 'sshpod/idle-timeout': '0' })).idleSeconds, 0);
  assert.throws(() => templateOptions(withAnnotations({ 'sshpod/shared': 'yes' })), /annotation sshpod\/shared is "yes"/);
  assert.throws(() => templateOptions(withAnnotations({ 'sshpod/idle-timeout': '5m' })), /annotation sshpod\/idle-timeout is "5m"/);
  assert.throws(() => templateOptions(withAnnotations({ 'sshpod/idle-timeout': '999999' })), (error: SshpodError) => /from 0 \(never\) to 86400/.test(error.hint ?? ''));
});
