// Request bodies in Kubernetes' protobuf encoding. kubectl's typed clients (`kubectl create
// deployment|namespace|configmap|secret|job|service|serviceaccount`, `kubectl auth can-i`),
// like every client-go typed client (a DaemonSet created from Go, say), send
// `application/vnd.kubernetes.protobuf`: the magic "k8s\0", then a runtime.Unknown whose
// raw bytes are the object's message. This decoder turns those into the JSON objects the rest
// of the server handles. Replies stay JSON, which every client accepts.
//
// The schema covers the fields of the kinds this cluster serves that clients actually send
// (field numbers from k8s.io/api and k8s.io/apimachinery generated.proto). Unknown fields are
// skipped. Notation: `name:type`, type one of s (string), i (integer), b (bool), y (bytes),
// T (Time), IS (IntOrString), Q (Quantity), M (map string→string), My (→bytes), MQ (→Quantity)
// or a message name; `[]` repeated, `*` a pointer field whose zero value is meaningful, `^` an
// embedded struct (inlined in JSON).

type Spec = Record<number, string>;

const schema: Record<string, Spec> = {
  TypeMeta: { 1: 'apiVersion:s', 2: 'kind:s' },
  Quantity: { 1: 'string:s' },
  Time: { 1: 'seconds:i*', 2: 'nanos:i*' },
  IntOrString: { 1: 'type:i*', 2: 'intVal:i*', 3: 'strVal:s' },
  ObjectMeta: { 1: 'name:s', 2: 'generateName:s', 3: 'namespace:s', 5: 'uid:s', 6: 'resourceVersion:s', 7: 'generation:i', 8: 'creationTimestamp:T', 10: 'deletionGracePeriodSeconds:i*', 11: 'labels:M', 12: 'annotations:M', 13: 'ownerReferences:OwnerReference[]', 14: 'finalizers:s[]' },
  OwnerReference: { 5: 'apiVersion:s', 1: 'kind:s', 3: 'name:s', 4: 'uid:s', 6: 'controller:b*', 7: 'blockOwnerDeletion:b*' },
  LabelSelector: { 1: 'matchLabels:M', 2: 'matchExpressions:LabelSelectorRequirement[]' },
  LabelSelectorRequirement: { 1: 'key:s', 2: 'operator:s', 3: 'values:s[]' },
  DeleteOptions: { 1: 'gracePeriodSeconds:i*', 2: 'preconditions:Preconditions', 3: 'orphanDependents:b*', 4: 'propagationPolicy:s', 5: 'dryRun:s[]' },
  Preconditions: { 1: 'uid:s', 2: 'resourceVersion:s' },
  // core/v1
  Pod: { 1: 'metadata:ObjectMeta', 2: 'spec:PodSpec' },
  PodTemplateSpec: { 1: 'metadata:ObjectMeta', 2: 'spec:PodSpec' },
  PodSpec: {
    1: 'volumes:Volume[]', 2: 'containers:Container[]', 20: 'initContainers:Container[]', 3: 'restartPolicy:s', 4: 'terminationGracePeriodSeconds:i*', 5: 'activeDeadlineSeconds:i*',
    6: 'dnsPolicy:s', 7: 'nodeSelector:M', 8: 'serviceAccountName:s', 9: 'serviceAccount:s', 21: 'automountServiceAccountToken:b*', 10: 'nodeName:s', 11: 'hostNetwork:b',
    12: 'hostPID:b', 13: 'hostIPC:b', 27: 'shareProcessNamespace:b*', 14: 'securityContext:PodSecurityContext', 15: 'imagePullSecrets:LocalObjectReference[]', 16: 'hostname:s',
    17: 'subdomain:s', 19: 'schedulerName:s', 22: 'tolerations:Toleration[]', 24: 'priorityClassName:s', 25: 'priority:i*', 30: 'enableServiceLinks:b*', 31: 'preemptionPolicy:s',
  },
  Container: {
    1: 'name:s', 2: 'image:s', 3: 'command:s[]', 4: 'args:s[]', 5: 'workingDir:s', 6: 'ports:ContainerPort[]', 19: 'envFrom:EnvFromSource[]', 7: 'env:EnvVar[]',
    8: 'resources:ResourceRequirements', 9: 'volumeMounts:VolumeMount[]', 10: 'livenessProbe:Probe', 11: 'readinessProbe:Probe', 22: 'startupProbe:Probe', 13: 'terminationMessagePath:s',
    20: 'terminationMessagePolicy:s', 14: 'imagePullPolicy:s', 15: 'securityContext:SecurityContext', 16: 'stdin:b', 17: 'stdinOnce:b', 18: 'tty:b', 24: 'restartPolicy:s',
  },
  ContainerPort: { 1: 'name:s', 2: 'hostPort:i', 3: 'containerPort:i', 4: 'protocol:s', 5: 'hostIP:s' },
  EnvVar: { 1: 'name:s', 2: 'value:s', 3: 'valueFrom:EnvVarSource' },
  EnvVarSource: { 1: 'fieldRef:ObjectFieldSelector', 3: 'configMapKeyRef:KeySelector', 4: 'secretKeyRef:KeySelector' },
  ObjectFieldSelector: { 1: 'apiVersion:s', 2: 'fieldPath:s' },
  KeySelector: { 1: 'localObjectReference:LocalObjectReference^', 2: 'key:s', 3: 'optional:b*' },
  EnvFromSource: { 1: 'prefix:s', 2: 'configMapRef:EnvSource', 3: 'secretRef:EnvSource' },
  EnvSource: { 1: 'localObjectReference:LocalObjectReference^', 2: 'optional:b*' },
  LocalObjectReference: { 1: 'name:s' },
  ResourceRequirements: { 1: 'limits:MQ', 2: 'requests:MQ' },
  VolumeMount: { 1: 'name:s', 2: 'readOnly:b', 3: 'mountPath:s', 4: 'subPath:s', 6: 'subPathExpr:s' },
  Volume: { 1: 'name:s', 2: 'volumeSource:VolumeSource^' },
  VolumeSource: { 2: 'emptyDir:EmptyDirVolumeSource', 6: 'secret:SecretVolumeSource', 19: 'configMap:ConfigMapVolumeSource' },
  EmptyDirVolumeSource: { 1: 'medium:s', 2: 'sizeLimit:Q' },
  SecretVolumeSource: { 1: 'secretName:s', 3: 'defaultMode:i*', 4: 'optional:b*' },
  ConfigMapVolumeSource: { 1: 'localObjectReference:LocalObjectReference^', 3: 'defaultMode:i*', 4: 'optional:b*' },
  Probe: { 1: 'handler:ProbeHandler^', 2: 'initialDelaySeconds:i', 3: 'timeoutSeconds:i', 4: 'periodSeconds:i', 5: 'successThreshold:i', 6: 'failureThreshold:i' },
  ProbeHandler: { 1: 'exec:ExecAction', 2: 'httpGet:HTTPGetAction', 3: 'tcpSocket:TCPSocketAction' },
  ExecAction: { 1: 'command:s[]' },
  HTTPGetAction: { 1: 'path:s', 2: 'port:IS', 3: 'host:s', 4: 'scheme:s' },
  TCPSocketAction: { 1: 'port:IS', 2: 'host:s' },
  SecurityContext: { 1: 'capabilities:Capabilities', 2: 'privileged:b*', 4: 'runAsUser:i*', 8: 'runAsGroup:i*', 5: 'runAsNonRoot:b*', 6: 'readOnlyRootFilesystem:b*', 7: 'allowPrivilegeEscalation:b*' },
  Capabilities: { 1: 'add:s[]', 2: 'drop:s[]' },
  PodSecurityContext: { 2: 'runAsUser:i*', 6: 'runAsGroup:i*', 3: 'runAsNonRoot:b*', 4: 'supplementalGroups:i[]', 5: 'fsGroup:i*' },
  Toleration: { 1: 'key:s', 2: 'operator:s', 3: 'value:s', 4: 'effect:s', 5: 'tolerationSeconds:i*' },
  Namespace: { 1: 'metadata:ObjectMeta', 2: 'spec:NamespaceSpec' },
  NamespaceSpec: { 1: 'finalizers:s[]' },
  ConfigMap: { 1: 'metadata:ObjectMeta', 4: 'immutable:b*', 2: 'data:M', 3: 'binaryData:My' },
  Secret: { 1: 'metadata:ObjectMeta', 5: 'immutable:b*', 2: 'data:My', 4: 'stringData:M', 3: 'type:s' },
  ServiceAccount: { 1: 'metadata:ObjectMeta', 3: 'imagePullSecrets:LocalObjectReference[]', 4: 'automountServiceAccountToken:b*' },
  Service: { 1: 'metadata:ObjectMeta', 2: 'spec:ServiceSpec' },
  ServiceSpec: { 1: 'ports:ServicePort[]', 2: 'selector:M', 3: 'clusterIP:s', 18: 'clusterIPs:s[]', 4: 'type:s', 5: 'externalIPs:s[]', 7: 'sessionAffinity:s', 10: 'externalName:s', 19: 'ipFamilies:s[]', 17: 'ipFamilyPolicy:s' },
  ServicePort: { 1: 'name:s', 2: 'protocol:s', 6: 'appProtocol:s', 3: 'port:i', 4: 'targetPort:IS', 5: 'nodePort:i' },
  // apps/v1
  Deployment: { 1: 'metadata:ObjectMeta', 2: 'spec:DeploymentSpec' },
  DeploymentSpec: { 1: 'replicas:i*', 2: 'selector:LabelSelector', 3: 'template:PodTemplateSpec', 4: 'strategy:DeploymentStrategy', 5: 'minReadySeconds:i', 6: 'revisionHistoryLimit:i*', 7: 'paused:b', 9: 'progressDeadlineSeconds:i*' },
  DeploymentStrategy: { 1: 'type:s', 2: 'rollingUpdate:RollingUpdateDeployment' },
  RollingUpdateDeployment: { 1: 'maxUnavailable:IS', 2: 'maxSurge:IS' },
  ReplicaSet: { 1: 'metadata:ObjectMeta', 2: 'spec:ReplicaSetSpec' },
  ReplicaSetSpec: { 1: 'replicas:i*', 4: 'minReadySeconds:i', 2: 'selector:LabelSelector', 3: 'template:PodTemplateSpec' },
  StatefulSet: { 1: 'metadata:ObjectMeta', 2: 'spec:StatefulSetSpec' },
  StatefulSetSpec: { 1: 'replicas:i*', 2: 'selector:LabelSelector', 3: 'template:PodTemplateSpec', 5: 'serviceName:s', 6: 'podManagementPolicy:s', 8: 'revisionHistoryLimit:i*', 9: 'minReadySeconds:i' },
  DaemonSet: { 1: 'metadata:ObjectMeta', 2: 'spec:DaemonSetSpec' },
  DaemonSetSpec: { 1: 'selector:LabelSelector', 2: 'template:PodTemplateSpec', 3: 'updateStrategy:DaemonSetUpdateStrategy', 4: 'minReadySeconds:i', 6: 'revisionHistoryLimit:i*' },
  DaemonSetUpdateStrategy: { 1: 'type:s', 2: 'rollingUpdate:RollingUpdateDaemonSet' },
  RollingUpdateDaemonSet: { 1: 'maxUnavailable:IS', 2: 'maxSurge:IS' },
  // batch/v1
  Job: { 1: 'metadata:ObjectMeta', 2: 'spec:JobSpec' },
  JobSpec: { 1: 'parallelism:i*', 2: 'completions:i*', 3: 'activeDeadlineSeconds:i*', 7: 'backoffLimit:i*', 4: 'selector:LabelSelector', 5: 'manualSelector:b*', 6: 'template:PodTemplateSpec', 8: 'ttlSecondsAfterFinished:i*', 9: 'completionMode:s', 10: 'suspend:b*', 14: 'podReplacementPolicy:s' },
  // authorization/v1
  SelfSubjectAccessReview: { 1: 'metadata:ObjectMeta', 2: 'spec:SelfSubjectAccessReviewSpec' },
  SelfSubjectAccessReviewSpec: { 1: 'resourceAttributes:ResourceAttributes', 2: 'nonResourceAttributes:NonResourceAttributes' },
  ResourceAttributes: { 1: 'namespace:s', 2: 'verb:s', 3: 'group:s', 4: 'version:s', 5: 'resource:s', 6: 'subresource:s', 7: 'name:s' },
  NonResourceAttributes: { 1: 'path:s', 2: 'verb:s' },
  // authentication/v1 (kubectl create token)
  TokenRequest: { 1: 'metadata:ObjectMeta', 2: 'spec:TokenRequestSpec' },
  TokenRequestSpec: { 1: 'audiences:s[]', 4: 'expirationSeconds:i*', 3: 'boundObjectRef:BoundObjectReference' },
  BoundObjectReference: { 1: 'kind:s', 2: 'apiVersion:s', 3: 'name:s', 4: 'uid:s' },
};

export class ProtobufError extends Error {}

export const protobufMagic = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

interface Field {
  no: number;
  wire: number;
  value: bigint | Buffer;
}

function readVarint(buf: Buffer, pos: { at: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos.at >= buf.length) throw new ProtobufError('truncated varint');
    const byte = buf[pos.at++] as number;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return result;
    shift += 7n;
    if (shift > 70n) throw new ProtobufError('varint too long');
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  const pos = { at: 0 };
  while (pos.at < buf.length) {
    const key = Number(readVarint(buf, pos));
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, value: readVarint(buf, pos) });
    else if (wire === 2) {
      const len = Number(readVarint(buf, pos));
      if (pos.at + len > buf.length) throw new ProtobufError('truncated field');
      out.push({ no, wire, value: buf.subarray(pos.at, pos.at + len) });
      pos.at += len;
    } else if (wire === 1) {
      out.push({ no, wire, value: buf.readBigUInt64LE(pos.at) });
      pos.at += 8;
    } else if (wire === 5) {
      out.push({ no, wire, value: BigInt(buf.readUInt32LE(pos.at)) });
      pos.at += 4;
    } else throw new ProtobufError(`unsupported wire type ${wire}`);
  }
  return out;
}

function toInt(v: bigint | Buffer): number {
  if (Buffer.isBuffer(v)) throw new ProtobufError('expected an integer');
  return Number(BigInt.asIntN(64, v));
}

function str(v: bigint | Buffer): string {
  if (!Buffer.isBuffer(v)) throw new ProtobufError('expected a string');
  return v.toString('utf8');
}

function decodeMap(entries: Buffer[], valueType: 's' | 'y' | 'Q'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    let key = '';
    let value = '';
    for (const f of fields(entry)) {
      if (f.no === 1) key = str(f.value);
      if (f.no === 2) value = String(scalar(valueType, f.value));
    }
    out[key] = value;
  }
  return out;
}

function scalar(type: string, v: bigint | Buffer): unknown {
  switch (type) {
    case 's':
      return str(v);
    case 'i':
      return toInt(v);
    case 'b':
      return toInt(v) !== 0;
    case 'y':
      return (v as Buffer).toString('base64');
    case 'T': {
      const t = decodeMessage('Time', v as Buffer);
      const seconds = Number(t.seconds ?? 0);
      return seconds === 0 ? null : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    case 'IS': {
      const x = decodeMessage('IntOrString', v as Buffer);
      return Number(x.type ?? 0) === 1 ? String(x.strVal ?? '') : Number(x.intVal ?? 0);
    }
    case 'Q':
      return String(decodeMessage('Quantity', v as Buffer).string ?? '');
    default:
      return decodeMessage(type, v as Buffer);
  }
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false || v === null;
}

function decodeMessage(name: string, buf: Buffer): Record<string, unknown> {
  const spec = schema[name];
  if (!spec) throw new ProtobufError(`no protobuf schema for ${name}`);
  const out: Record<string, unknown> = {};
  const grouped = new Map<number, Field[]>();
  for (const f of fields(buf)) grouped.set(f.no, [...(grouped.get(f.no) ?? []), f]);
  for (const [no, list] of grouped) {
    const def = spec[no];
    if (!def) continue;
    const [fieldName = '', rawType = ''] = def.split(':');
    const repeated = rawType.includes('[]');
    const keepZero = rawType.includes('*');
    const inline = rawType.includes('^');
    const type = rawType.replace(/[[\]*^]/g, '');
    let value: unknown;
    if (type === 'M' || type === 'My' || type === 'MQ') {
      value = decodeMap(list.map((f) => f.value as Buffer), type === 'M' ? 's' : type === 'My' ? 'y' : 'Q');
    } else if (repeated) {
      // Packed repeated integers arrive as one length-delimited field.
      if (type === 'i' && list.length === 1 && Buffer.isBuffer(list[0]?.value)) {
        const packed = list[0].value as Buffer;
        const pos = { at: 0 };
        const ints: number[] = [];
        while (pos.at < packed.length) ints.push(Number(BigInt.asIntN(64, readVarint(packed, pos))));
        value = ints;
      } else value = list.map((f) => scalar(type, f.value));
    } else {
      value = scalar(type, (list[list.length - 1] as Field).value);
    }
    if (inline && value && typeof value === 'object') {
      Object.assign(out, value);
      continue;
    }
    if (!keepZero && !repeated && isZero(value)) continue;
    out[fieldName] = value;
  }
  return out;
}

/** A protobuf request body → the JSON object it stands for (with apiVersion and kind). */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(protobufMagic)) throw new ProtobufError('the body does not start with the Kubernetes protobuf magic number');
  // runtime.Unknown: 1 typeMeta, 2 raw (the object's own message), 3–4 encodings (unused).
  let typeMeta: { apiVersion?: string; kind?: string } = {};
  let raw: Buffer = Buffer.alloc(0);
  for (const f of fields(body.subarray(4))) {
    if (f.no === 1) typeMeta = decodeMessage('TypeMeta', f.value as Buffer);
    else if (f.no === 2) raw = f.value as Buffer;
  }
  const kind = typeMeta.kind ?? '';
  if (!schema[kind] || kind === 'TypeMeta') throw new ProtobufError(`the sshpod test cluster cannot decode protobuf ${kind || 'objects without a kind'} (${typeMeta.apiVersion ?? ''}); send JSON`);
  return { apiVersion: typeMeta.apiVersion, kind, ...decodeMessage(kind, raw) };
}
