import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allPassed, failed, passed, renderChecklist, summary } from '../../src/doctor/checklist.ts';
import { nodeCheck, opensshVersion } from '../../src/doctor/versions.ts';
import { EPHEMERAL_REFUSED, PORTFORWARD_REFUSED, permissionsFor } from '../../src/doctor/rbac.ts';
import { parseHostname } from '../../src/target/hostname.ts';

test('the checklist: ✔, ✘ with its hint, notes, all escaped', () => {
  const items = [passed('one'), failed('two \x1b[2J', 'do this'), { note: 'worth knowing\nsecond line' }];
  assert.deepEqual(renderChecklist(items), ['✔ one', '✘ two \\x1b[2J', '  hint: do this', '· worth knowing', '  second line']);
  assert.equal(allPassed(items), false);
  assert.equal(summary(items), 'sshpod: 1 of 2 checks failed');
  assert.equal(allPassed([passed('a'), { note: 'b' }]), true);
  assert.equal(summary([passed('a'), { note: 'b' }]), 'sshpod: the 1 check passed');
  assert.equal(summary([passed('a'), passed('c')]), 'sshpod: all 2 checks passed');
});

test('versions', () => {
  assert.deepEqual(opensshVersion('OpenSSH_9.2p1 Debian-2+deb12u6, OpenSSL 3.0.19'), [9, 2]);
  assert.deepEqual(opensshVersion('OpenSSH_for_Windows_8.1p1, LibreSSL 3.0.2'), [8, 1]);
  assert.equal(opensshVersion('Sun_SSH_1.1'), undefined);
  assert.equal(nodeCheck('v20.19.0').ok, true);
  assert.equal(nodeCheck('v18.20.4').ok, false);
});

test('the permissions a target needs: both verbs for the WebSocket subresources; port-forward and ephemeral containers optional', () => {
  assert.deepEqual(permissionsFor(parseHostname('pod--api.sshpod'), 'prod'), [
    { verbs: ['get'], group: '', resource: 'pods', name: 'api', namespace: 'prod' },
    { verbs: ['create', 'get'], group: '', resource: 'pods', subresource: 'exec', name: 'api', namespace: 'prod' },
    { verbs: ['create', 'get'], group: '', resource: 'pods', subresource: 'portforward', name: 'api', namespace: 'prod', ifRefused: PORTFORWARD_REFUSED },
    { verbs: ['patch'], group: '', resource: 'pods', subresource: 'ephemeralcontainers', name: 'api', namespace: 'prod', ifRefused: EPHEMERAL_REFUSED },
  ]);
  assert.deepEqual(permissionsFor(parseHostname('deployment--web.sshpod'), 'shop').slice(0, 3), [
    { verbs: ['get'], group: 'apps', resource: 'deployments', name: 'web', namespace: 'shop' },
    { verbs: ['list'], group: '', resource: 'pods', namespace: 'shop' },
    { verbs: ['create', 'get'], group: '', resource: 'pods', subresource: 'exec', namespace: 'shop' },
  ]);
  assert.equal(permissionsFor(parseHostname('job--migrate.sshpod'), 'x')[0]?.group, 'batch');
  assert.deepEqual(permissionsFor(parseHostname('template--debug.sshpod'), 'tools'), [
    { verbs: ['create', 'get', 'delete', 'list'], group: '', resource: 'pods', namespace: 'tools' },
    { verbs: ['create', 'get'], group: '', resource: 'pods', subresource: 'exec', namespace: 'tools' },
    { verbs: ['create', 'get'], group: '', resource: 'pods', subresource: 'portforward', namespace: 'tools', ifRefused: PORTFORWARD_REFUSED },
  ]);
  assert.equal(permissionsFor(parseHostname('deployment--web.sshpod'), 'shop').at(-1)?.subresource, 'ephemeralcontainers');
  assert.deepEqual(permissionsFor(parseHostname('template--kubectl.sshpod'), 'team', 'sshpod-kubectl').slice(0, 3), [
    { verbs: ['create', 'get', 'delete', 'list'], group: '', resource: 'pods', namespace: 'team' },
    { verbs: ['create'], group: '', resource: 'serviceaccounts', subresource: 'token', name: 'sshpod-kubectl', namespace: 'team' },
    { verbs: ['get'], group: '', resource: 'configmaps', name: 'kube-root-ca.crt', namespace: 'team' },
  ]);
});
