import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alreadyExists, conflict, forbidden, invalid, modifiedConflictReason, notFound, unauthorized } from './status.ts';
import { accessAttributes, checkedVerbs, forbiddenMessage } from './authz.ts';
import { requestInfo } from './request-info.ts';
import { validateName } from './validation.ts';
import { resourceByName } from './resources.ts';
import type { ResourceType } from './resources.ts';

test('404, 409, 401 bodies match kube-apiserver byte for byte', () => {
  assert.equal(
    JSON.stringify(notFound({ group: '', resource: 'pods' }, 'x').status),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"x\\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}',
  );
  assert.equal(alreadyExists({ group: 'apps', resource: 'deployments' }, 'web').status.message, 'deployments.apps "web" already exists');
  assert.equal(conflict({ group: '', resource: 'pods' }, 'p', modifiedConflictReason).status.message, 'Operation cannot be fulfilled on pods "p": the object has been modified; please apply your changes to the latest version and try again');
  assert.equal(JSON.stringify(unauthorized().status), '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}');
});

test('403 for exec names the subresource and the verb checked', () => {
  const info = requestInfo('GET', new URL('https://x/api/v1/namespaces/prod/pods/web-1/exec?command=sh'));
  // A WebSocket upgrade is a GET: `get`, then (1.35+) the synthetic `create`; before 1.35 `get` alone.
  assert.deepEqual(checkedVerbs(info, true), ['get', 'create']);
  assert.deepEqual(checkedVerbs(info, false), ['get']);
  assert.deepEqual(checkedVerbs(requestInfo('POST', new URL('https://x/api/v1/namespaces/prod/pods/web-1/exec?command=sh')), true), ['create']);
  assert.equal(forbiddenMessage(accessAttributes({ name: 'dev', groups: [] }, info)), 'User "dev" cannot get resource "pods/exec" in API group "" in the namespace "prod"');
  const attrs = accessAttributes({ name: 'dev', groups: [] }, info, 'create');
  const status = forbidden({ group: info.apiGroup, resource: info.resource }, info.name, forbiddenMessage(attrs)).status;
  assert.equal(status.message, 'pods "web-1" is forbidden: User "dev" cannot create resource "pods/exec" in API group "" in the namespace "prod"');
  assert.equal(status.reason, 'Forbidden');
  assert.deepEqual(status.details, { name: 'web-1', kind: 'pods' });
  assert.equal(status.code, 403);
  const list = requestInfo('GET', new URL('https://x/apis/apps/v1/deployments'));
  assert.equal(forbidden({ group: 'apps', resource: 'deployments' }, '', forbiddenMessage(accessAttributes({ name: 'u', groups: [] }, list))).status.message, 'deployments.apps is forbidden: User "u" cannot list resource "deployments" in API group "apps" at the cluster scope');
});

test('422 for a bad name carries the field cause', () => {
  const pods = resourceByName('pods') as ResourceType;
  const status = invalid('', 'Pod', 'Bad_Name', validateName(pods, 'Bad_Name')).status;
  assert.equal(
    status.message,
    "Pod \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  );
  assert.equal(status.reason, 'Invalid');
  assert.equal(status.code, 422);
  assert.equal(status.details?.causes?.[0]?.field, 'metadata.name');
  assert.equal(status.details?.causes?.[0]?.reason, 'FieldValueInvalid');
});
