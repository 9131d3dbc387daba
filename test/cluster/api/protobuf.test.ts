import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtobufError, decodeProtobufObject, protobufMagic } from './protobuf.ts';

// A minimal protobuf writer, enough to build what kubectl's typed clients send.
type Value = string | number | boolean | Buffer | Msg | { map: [string, string][] } | { rep: Value[] };
type Msg = [number, Value][];

function varint(n: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

function encode(msg: Msg): Buffer {
  const parts: Buffer[] = [];
  const field = (no: number, v: Value): void => {
    if (typeof v === 'number' || typeof v === 'boolean') {
      parts.push(varint(no << 3), varint(typeof v === 'boolean' ? (v ? 1 : 0) : v));
    } else if (typeof v === 'string' || Buffer.isBuffer(v) || Array.isArray(v)) {
      const bytes = typeof v === 'string' ? Buffer.from(v) : Buffer.isBuffer(v) ? v : encode(v);
      parts.push(varint((no << 3) | 2), varint(bytes.length), bytes);
    } else if ('map' in v) {
      for (const [k, val] of v.map) field(no, [[1, k], [2, val]]);
    } else {
      for (const item of v.rep) field(no, item);
    }
  };
  for (const [no, value] of msg) field(no, value);
  return Buffer.concat(parts);
}

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  return Buffer.concat([protobufMagic, encode([[1, [[1, apiVersion], [2, kind]]], [2, raw], [3, ''], [4, '']])]);
}

test('kubectl create deployment: a protobuf Deployment decodes to its JSON form', () => {
  const labels = { map: [['app', 'made']] as [string, string][] };
  const container: Msg = [[1, 'busybox'], [2, 'busybox'], [3, { rep: ['sleep', '3600'] }], [8, []], [13, ''], [14, ''], [16, false]];
  const deployment: Msg = [
    [1, [[1, 'made'], [2, ''], [3, ''], [8, []], [11, labels]]],
    [
      2,
      [
        [1, 0],
        [2, [[1, labels]]],
        [3, [[1, [[11, labels]]], [2, [[2, { rep: [container] }], [3, '']]]]],
        [4, [[2, [[1, [[1, 1], [3, '25%']]]]]]],
      ],
    ],
    [3, []],
  ];
  assert.deepEqual(decodeProtobufObject(envelope('apps/v1', 'Deployment', encode(deployment))), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'made', labels: { app: 'made' } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'made' } },
      template: { metadata: { labels: { app: 'made' } }, spec: { containers: [{ name: 'busybox', image: 'busybox', command: ['sleep', '3600'], resources: {} }] } },
      strategy: { rollingUpdate: { maxUnavailable: '25%' } },
    },
  });
});

test('a typed client creating a DaemonSet: selector, template and update strategy decode', () => {
  const labels = { map: [['app', 'agent']] as [string, string][] };
  const container: Msg = [[1, 'agent'], [2, 'busybox']];
  const daemonSet: Msg = [
    [1, [[1, 'agent']]],
    [2, [[1, [[1, labels]]], [2, [[1, [[11, labels]]], [2, [[2, { rep: [container] }], [7, { map: [['disk', 'ssd']] }]]]]], [3, [[1, 'RollingUpdate'], [2, [[1, [[1, 0], [2, 2]]], [2, [[1, 1], [3, '10%']]]]]]], [6, 5]]],
  ];
  assert.deepEqual(decodeProtobufObject(envelope('apps/v1', 'DaemonSet', encode(daemonSet))), {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'busybox' }], nodeSelector: { disk: 'ssd' } } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: '10%' } },
      revisionHistoryLimit: 5,
    },
  });
});

test('kubectl auth can-i: a protobuf SelfSubjectAccessReview; unknown kinds are refused', () => {
  const review: Msg = [[2, [[1, [[1, 'prod'], [2, 'create'], [5, 'pods'], [6, 'exec']]]]]];
  assert.deepEqual(decodeProtobufObject(envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', encode(review))), {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { namespace: 'prod', verb: 'create', resource: 'pods', subresource: 'exec' } },
  });
  assert.throws(() => decodeProtobufObject(envelope('v1', 'PersistentVolume', Buffer.alloc(0))), ProtobufError);
  assert.throws(() => decodeProtobufObject(Buffer.from('{"kind":"Pod"}')), ProtobufError);
});
