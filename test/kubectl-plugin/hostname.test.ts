import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pluginHostname, placement, type KubeFacts } from '../../src/kubectl-plugin/hostname.ts';
import type { KubeFlags, TargetRef } from '../../src/kubectl-plugin/args.ts';
import { parseHostname } from '../../src/target/hostname.ts';
import { SshpodError } from '../../src/errors.ts';

const facts: KubeFacts = {
  currentContext: 'kind-dev',
  contexts: [
    { name: 'kind-dev', namespace: 'shop' },
    { name: 'bare' },
    { name: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod', namespace: 'prod' },
    { name: 'gke_proj_europe-west1_prod' },
    { name: 'admin@kind' },
    // Two contexts that share a hostname-safe alias ("twin"): each is written by its exact name if it can be.
    { name: 'twin' },
    { name: 'TWIN' },
    { name: 'kind.local' },
  ],
};

const pod = (name: string): TargetRef => ({ kind: 'pod', name });

const table: Array<[KubeFlags, TargetRef, KubeFacts, string]> = [
  // The current context and its namespace.
  [{}, pod('api'), facts, 'pod--api.namespace--shop.context--kind-dev.sshpod'],
  [{ namespace: 'bars' }, pod('deb'), facts, 'pod--deb.namespace--bars.context--kind-dev.sshpod'],
  // A context without a namespace: "default", as kubectl.
  [{ context: 'bare' }, pod('api'), facts, 'pod--api.namespace--default.context--bare.sshpod'],
  // Contexts a hostname cannot spell go by their alias.
  [{ context: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod' }, pod('api'), facts, 'pod--api.namespace--prod.context--arn-aws-eks-eu-west-1-123456789012-cluster-prod.sshpod'],
  [{ context: 'gke_proj_europe-west1_prod', namespace: 'x' }, pod('api'), facts, 'pod--api.namespace--x.context--gke-proj-europe-west1-prod.sshpod'],
  [{ context: 'admin@kind' }, pod('api'), facts, 'pod--api.namespace--default.context--admin-kind.sshpod'],
  [{ context: 'twin' }, pod('api'), facts, 'pod--api.namespace--default.context--twin.sshpod'],
  [{ context: 'kind.local' }, pod('api'), facts, 'pod--api.namespace--default.context--kind-local.sshpod'],
  // Workloads, containers, dotted names.
  [{ container: 'side' }, { kind: 'deployment', name: 'web' }, facts, 'container--side.deployment--web.namespace--shop.context--kind-dev.sshpod'],
  [{}, { kind: 'statefulset', name: 'db' }, facts, 'statefulset--db.namespace--shop.context--kind-dev.sshpod'],
  [{}, { kind: 'job', name: 'migrate' }, facts, 'job--migrate.namespace--shop.context--kind-dev.sshpod'],
  [{}, pod('web.v2'), facts, 'pod--web.v2.namespace--shop.context--kind-dev.sshpod'],
];

for (const [flags, target, given, expected] of table) {
  test(`${JSON.stringify(flags)} ${target.kind}/${target.name} → ${expected}`, () => {
    const host = pluginHostname(flags, target, given);
    assert.equal(host, expected);
    // What sshpod reads back is what kubectl ssh meant.
    const read = parseHostname(host);
    assert.equal(read.kind, target.kind);
    assert.equal(read.name, target.name);
    assert.equal(read.container, flags.container);
  });
}

const refused: Array<[KubeFlags, TargetRef, KubeFacts, RegExp]> = [
  [{}, pod('api'), { currentContext: undefined, contexts: [{ name: 'a' }] }, /^current-context is not set in your kubeconfig$/],
  [{ context: 'nope' }, pod('api'), facts, /^context "nope" does not exist$/],
  [{}, pod('api'), { currentContext: 'gone', contexts: [{ name: 'a' }] }, /^context "gone" does not exist$/],
  [{ context: 'TWIN' }, pod('api'), facts, /^context "TWIN" cannot be named in an sshpod hostname: its hostname form "twin" also names "twin"$/],
  [{}, pod('Api'), facts, /^pod name "Api" is not valid: it contains upper-case letters$/],
  [{ namespace: 'a.b' }, pod('api'), facts, /^namespace name "a\.b" is not valid: it contains a dot$/],
  [{ container: 'Side' }, pod('api'), facts, /^container name "Side" is not valid/],
  [{}, pod('a.ns--b'), facts, /^pod "a\.ns--b" cannot be written as an sshpod hostname/],
];

for (const [flags, target, given, message] of refused) {
  test(`${JSON.stringify(flags)} ${target.kind}/${target.name} is refused: ${message.source}`, () => {
    assert.throws(() => pluginHostname(flags, target, given), (error: unknown) => error instanceof SshpodError && message.test(error.message) && error.hint !== undefined);
  });
}

test('placement: -n wins over the context namespace, which wins over "default"', () => {
  assert.deepEqual(placement({}, facts), { context: 'kind-dev', namespace: 'shop' });
  assert.deepEqual(placement({ namespace: 'x' }, facts), { context: 'kind-dev', namespace: 'x' });
  assert.deepEqual(placement({ context: 'bare' }, facts), { context: 'bare', namespace: 'default' });
});
