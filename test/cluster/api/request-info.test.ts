import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestInfo } from './request-info.ts';

const info = (method: string, path: string) => requestInfo(method, new URL(path, 'https://x'));

test('resource requests: verbs, namespaces, subresources as kube-apiserver derives them', () => {
  const cases: [string, string, Partial<ReturnType<typeof info>>][] = [
    ['GET', '/api/v1/pods', { verb: 'list', resource: 'pods', namespace: '', name: '' }],
    ['GET', '/api/v1/namespaces/ns/pods?watch=true', { verb: 'watch', resource: 'pods', namespace: 'ns' }],
    ['GET', '/api/v1/watch/namespaces/ns/pods/p', { verb: 'watch', resource: 'pods', name: 'p' }],
    ['GET', '/api/v1/namespaces/ns/pods/p', { verb: 'get', name: 'p', subresource: '' }],
    ['GET', '/api/v1/namespaces/ns/pods/p/exec?command=ls', { verb: 'get', subresource: 'exec', name: 'p' }],
    ['POST', '/api/v1/namespaces/ns/pods', { verb: 'create' }],
    ['DELETE', '/api/v1/namespaces/ns/pods', { verb: 'deletecollection' }],
    ['PATCH', '/apis/apps/v1/namespaces/ns/deployments/d/scale', { verb: 'patch', apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments', subresource: 'scale' }],
    ['GET', '/api/v1/namespaces/ns', { verb: 'get', resource: 'namespaces', name: 'ns', namespace: 'ns' }],
    ['PUT', '/api/v1/namespaces/ns/status', { verb: 'update', resource: 'namespaces', name: 'ns', subresource: 'status' }],
    ['GET', '/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Dp', { verb: 'list', name: 'p' }],
  ];
  for (const [method, path, expected] of cases) {
    const got = info(method, path);
    assert.equal(got.isResourceRequest, true, path);
    for (const [k, v] of Object.entries(expected)) assert.equal(got[k as keyof typeof got], v, `${method} ${path}: ${k}`);
  }
});

test('discovery and other paths are not resource requests', () => {
  for (const path of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/openapi/v3']) {
    const got = info('GET', path);
    assert.equal(got.isResourceRequest, false, path);
    assert.equal(got.verb, 'get');
  }
});
