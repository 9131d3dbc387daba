import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHostname, type HostTarget } from '../../src/target/format-hostname.ts';
import { parseHostname } from '../../src/target/hostname.ts';
import { SshpodError } from '../../src/errors.ts';

const table: Array<[HostTarget, string]> = [
  [{ kind: 'pod', name: 'api' }, 'pod--api.sshpod'],
  [{ kind: 'pod', name: 'api', namespace: 'prod' }, 'pod--api.namespace--prod.sshpod'],
  [{ kind: 'deployment', name: 'web', namespace: 'shop', context: 'eu', container: 'app' }, 'container--app.deployment--web.namespace--shop.context--eu.sshpod'],
  [{ kind: 'pod', name: 'web.v2', context: 'kind.local' }, 'pod--web.v2.context--kind.local.sshpod'],
  [{ kind: 'pod', name: 'my--pod' }, 'pod--my--pod.sshpod'],
  [{ kind: 'job', name: 'migrate', context: 'Admin@Kind' }, 'job--migrate.context--Admin@Kind.sshpod'],
];

for (const [target, expected] of table) {
  test(`${JSON.stringify(target)} → ${expected}, read back the same`, () => {
    assert.equal(formatHostname(target), expected);
    const read = parseHostname(expected);
    assert.deepEqual({ kind: read.kind, name: read.name, namespace: read.namespace, context: read.context, container: read.container }, {
      kind: target.kind,
      name: target.name,
      namespace: target.namespace,
      context: target.context,
      container: target.container,
    });
  });
}

const refused: Array<[HostTarget, RegExp]> = [
  [{ kind: 'pod', name: 'a.ns--b' }, /cannot be written as an sshpod hostname/],
  [{ kind: 'pod', name: 'a.namepsace--b' }, /cannot be written as an sshpod hostname: .*unknown key "namepsace--"/],
  [{ kind: 'pod', name: 'API' }, /pod name "API" is not valid: it contains upper-case letters/],
  [{ kind: 'pod', name: 'api', namespace: '' }, /namespace name "" is not valid: it is empty/],
];

for (const [target, message] of refused) {
  test(`${JSON.stringify(target)} is refused`, () => {
    assert.throws(() => formatHostname(target), (error: unknown) => error instanceof SshpodError && error.kind === 'usage' && message.test(error.message));
  });
}
