// Refusals of an on-demand pod's writes, in words: RBAC names the verb the server checked, a quota
// or an admission policy is about the template, an invalid pod names the template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onDemandRefusal } from '../../src/ondemand/pod-requests.ts';
import { apiError } from '../../src/kube/api-error.ts';
import { SshpodError } from '../../src/errors.ts';

const operation = { verb: 'create' as const, resource: 'pods', namespace: 'tools' };
const template = { name: 'box', source: '/t/box.yaml' };
const refused = (code: number, message: string): SshpodError => apiError(code, JSON.stringify({ kind: 'Status', status: 'Failure', message, code }), operation, 'ctx');

test('RBAC: the verb and resource the server checked, and what on-demand pods need', () => {
  const error = onDemandRefusal(refused(403, 'pods is forbidden: User "dev" cannot create resource "pods" in API group "" in the namespace "tools"'), operation, template) as SshpodError;
  assert.equal(error.kind, 'forbidden');
  assert.equal(error.message, 'not allowed to create pods in namespace "tools", which template--box needs: pods is forbidden: User "dev" cannot create resource "pods" in API group "" in the namespace "tools"');
  assert.match(error.hint ?? '', /^ask your cluster admin for RBAC permission to create pods in namespace "tools" \(on-demand pods need create, get, list and delete on pods/);
});

test('a ResourceQuota is about room, not permission', () => {
  const error = onDemandRefusal(refused(403, 'pods "sshpod-box-x" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=10, limited: pods=10'), operation, template) as SshpodError;
  assert.match(error.message, /^namespace "tools" has no room for the pod of template "box" \(its ResourceQuota\): pods "sshpod-box-x" is forbidden: exceeded quota/);
  assert.match(error.hint ?? '', /sshpod cleanup removes finished sshpod pods/);
});

test('an admission policy refusing the pod points at the template', () => {
  const error = onDemandRefusal(refused(403, 'pods "sshpod-box-x" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true'), operation, template) as SshpodError;
  assert.match(error.message, /^the cluster refused the pod of template "box": .*violates PodSecurity/);
  assert.match(error.hint ?? '', /admission policy of namespace "tools".*change \/t\/box\.yaml/);
});

test('an invalid pod names the template', () => {
  const error = onDemandRefusal(refused(422, 'Pod "sshpod-box-x" is invalid: spec.containers[0].resources.limits: Invalid value'), operation, template) as SshpodError;
  assert.equal(error.kind, 'config');
  assert.match(error.message, /^template "box" \(\/t\/box\.yaml\) makes a pod the cluster rejects: Pod "sshpod-box-x" is invalid/);
});

test('anything else is left as it was', () => {
  const other = refused(500, 'etcd is down');
  assert.equal(onDemandRefusal(other, operation, template), other);
  const plain = new Error('x');
  assert.equal(onDemandRefusal(plain, operation, template), plain);
});
