import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostname, describeContinuations, type TargetSpec } from '../../src/target/hostname.ts';
import { SshpodError } from '../../src/errors.ts';

const valid: Array<[string, Partial<TargetSpec>]> = [
  ['pod--api.sshpod', { kind: 'pod', name: 'api' }],
  ['pod--api.namespace--prod.sshpod', { kind: 'pod', name: 'api', namespace: 'prod' }],
  ['pod--api.namespace--prod.context--eu.sshpod', { kind: 'pod', name: 'api', namespace: 'prod', context: 'eu' }],
  ['namespace--prod.pod--api.sshpod', { kind: 'pod', name: 'api', namespace: 'prod' }],
  ['context--eu.namespace--prod.container--side.pod--api.sshpod', { kind: 'pod', name: 'api', container: 'side', namespace: 'prod', context: 'eu' }],
  ['pod--api.sshpod.', { kind: 'pod', name: 'api' }],
  ['pod--api.SSHPOD', { kind: 'pod', name: 'api' }],
  ['POD--Api.Namespace--PROD.sshpod', { kind: 'pod', name: 'api', namespace: 'prod' }],
  ['pod--api.context--Admin@Kind.sshpod', { kind: 'pod', name: 'api', context: 'Admin@Kind' }],
  ['deployment--web.namespace--shop.sshpod', { kind: 'deployment', name: 'web', namespace: 'shop' }],
  ['statefulset--db.sshpod', { kind: 'statefulset', name: 'db' }],
  ['daemonset--agent.sshpod', { kind: 'daemonset', name: 'agent' }],
  ['replicaset--web-5d4f8.sshpod', { kind: 'replicaset', name: 'web-5d4f8' }],
  ['job--migrate.sshpod', { kind: 'job', name: 'migrate' }],
  ['deploy--web.ns--shop.sshpod', { kind: 'deployment', name: 'web', namespace: 'shop' }],
  ['sts--db.sshpod', { kind: 'statefulset', name: 'db' }],
  // Dotted names: key-less segments continue the previous value.
  ['pod--web.v2.namespace--prod.sshpod', { kind: 'pod', name: 'web.v2', namespace: 'prod' }],
  ['pod--a.b.c.sshpod', { kind: 'pod', name: 'a.b.c' }],
  ['pod--api.context--kind.local.sshpod', { kind: 'pod', name: 'api', context: 'kind.local' }],
  ['pod--my--pod.sshpod', { kind: 'pod', name: 'my--pod' }],
  // On-demand pods: a template name (a file name, so no dots) instead of a pod.
  ['template--debug.sshpod', { kind: 'template', name: 'debug' }],
  ['template--gpu-box.namespace--ml.context--eu.sshpod', { kind: 'template', name: 'gpu-box', namespace: 'ml', context: 'eu' }],
  ['context--eu.template--Debug.sshpod.', { kind: 'template', name: 'debug', context: 'eu' }],
  ['container--tools.template--debug.sshpod', { kind: 'template', name: 'debug', container: 'tools' }],
  ['template--debug.context--kind.local.sshpod', { kind: 'template', name: 'debug', context: 'kind.local' }],
  ['pod--api.context--arn-aws-eks-eu-west-1-123456789012-cluster-prod.sshpod', {
    kind: 'pod',
    name: 'api',
    context: 'arn-aws-eks-eu-west-1-123456789012-cluster-prod',
  }],
];

for (const [host, expected] of valid) {
  test(`parses ${host}`, () => {
    const spec = parseHostname(host);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(spec[key as keyof TargetSpec], value, `${key} of ${host}`);
    }
    for (const key of ['container', 'namespace', 'context'] as const) {
      if (!(key in expected)) assert.equal(spec[key], undefined, `${key} of ${host}`);
    }
  });
}

const invalid: Array<[string, RegExp]> = [
  ['pod--api.example.com', /does not end in \.sshpod/],
  ['sshpod', /does not end in \.sshpod/],
  ['.sshpod', /names no pod or workload/],
  ['namespace--prod.sshpod', /names no pod or workload/],
  ['api.sshpod', /segment "api" has no key-- and follows none/],
  ['pod--api.pod--web.sshpod', /gives pod-- twice/],
  ['pod--api.po--web.sshpod', /gives pod-- twice/],
  ['pod--api.deployment--web.sshpod', /more than one target \(pod--, deployment--\)/],
  ['pod--.sshpod', /pod-- has no value/],
  ['pod--api.namepsace--prod.sshpod', /unknown key "namepsace--" \(did you mean "namespace--"\?\)/],
  ['pod--api.contxt--eu.sshpod', /did you mean "context--"/],
  ['pod--api.namespace--prod.extra.sshpod', /segment "extra" has no key-- and namespace names cannot contain dots/],
  ['container--a.b.pod--x.sshpod', /container names cannot contain dots/],
  ['pod--api_1.sshpod', /pod name "api_1" is not valid: it may contain only a-z/],
  ['pod--api..sshpod', /empty segment/],
  ['pod--api.namespace--' + 'x'.repeat(64) + '.sshpod', /longer than 63 characters/],
  ['pod--api-.sshpod', /is not valid/],
  ['template--debug.pod--api.sshpod', /more than one target \(pod--, template--\)/],
  ['template--debug.v2.sshpod', /segment "v2" has no key-- and template names cannot contain dots/],
  ['template--.sshpod', /template-- has no value/],
  ['template--a_b.sshpod', /template name "a_b" is not valid/],
  ['templte--debug.sshpod', /did you mean "template--"/],
  ['namespace--prod.sshpod', /or template-- for a new pod/],
];

for (const [host, pattern] of invalid) {
  test(`rejects ${host} with a message naming the problem`, () => {
    assert.throws(
      () => parseHostname(host),
      (error: unknown) => {
        assert.ok(error instanceof SshpodError, 'an SshpodError');
        assert.equal(error.kind, 'usage');
        assert.match(error.message, pattern);
        assert.ok(error.hint, 'with a hint');
        return true;
      },
    );
  });
}

test('continuations are described for not-found messages', () => {
  const spec = parseHostname('pod--web.v2.sshpod');
  assert.match(describeContinuations(spec) ?? '', /"v2" as part of the pod name/);
  assert.equal(describeContinuations(parseHostname('pod--web.sshpod')), undefined);
});
