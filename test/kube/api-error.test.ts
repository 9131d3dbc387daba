// A 403 names the verb the API server actually checked: exec and port-forward over WebSocket are
// authorised as `get` before kube-apiserver 1.35 (and also as `create` from 1.35 on), so the verb
// sshpod meant (`create`) is not always the one to ask for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiError, checkedPermission } from '../../src/kube/api-error.ts';

const status = (message: string): string => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason: 'Forbidden', code: 403 });
const exec = { verb: 'create' as const, resource: 'pods/exec', namespace: 'shop', name: 'api' };

test('kube-apiserver 1.20 refusing a WebSocket exec: message and hint say get', () => {
  const error = apiError(403, status('pods "api" is forbidden: User "dev" cannot get resource "pods/exec" in API group "" in the namespace "shop"'), exec, 'ctx');
  assert.equal(error.message, 'not allowed to get pods/exec "api" in namespace "shop": pods "api" is forbidden: User "dev" cannot get resource "pods/exec" in API group "" in the namespace "shop"');
  assert.match(error.hint ?? '', /^ask your cluster admin for RBAC permission to get pods\/exec in namespace "shop" \(sshpod needs .*get and create on pods\/exec and pods\/portforward\)$/);
});

test('a server that checked create: message and hint say create', () => {
  const error = apiError(403, status('pods "api" is forbidden: User "dev" cannot create resource "pods/portforward" in API group "" in the namespace "shop"'), { ...exec, resource: 'pods/portforward' }, 'ctx');
  assert.match(error.message, /^not allowed to create pods\/portforward "api" in namespace "shop": /);
  assert.match(error.hint ?? '', /permission to create pods\/portforward in namespace "shop"/);
});

test('a workload kind is named with its API group, as RBAC rules name it', () => {
  assert.deepEqual(checkedPermission('deployments.apps "web" is forbidden: User "dev" cannot get resource "deployments" in API group "apps" in the namespace "shop"'), { verb: 'get', resource: 'deployments.apps' });
  assert.deepEqual(checkedPermission('User "dev" cannot list resource "pods" in API group "" at the cluster scope'), { verb: 'list', resource: 'pods' });
});

test('a message without the verb (a webhook authoriser, a proxy): the operation sshpod attempted', () => {
  const error = apiError(403, status('access denied by policy'), exec, 'ctx');
  assert.equal(error.message, 'not allowed to create pods/exec "api" in namespace "shop": access denied by policy');
  assert.match(error.hint ?? '', /permission to create pods\/exec/);
  assert.equal(checkedPermission('forbidden: cannot do that'), undefined);
});
