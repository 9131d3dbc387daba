// ServiceAccount tokens as kube-apiserver issues and checks them (the TokenRequest API,
// `create serviceaccounts/NAME/token`, and the service-account token authenticator):
//  - issue(): a JWT signed with this cluster's ES256 key, claims as kube-apiserver writes them
//    (iss, sub system:serviceaccount:NS:NAME, aud, exp/iat/nbf, jti, and `kubernetes.io` with the
//    namespace, the ServiceAccount's name and uid and, for a bound token, the pod's or secret's);
//    the request validated as pkg/registry/core/serviceaccount/storage/token.go does: at least 10
//    minutes, the bound object present with that uid, a pod running as that ServiceAccount.
//  - authenticate(): the signature, the time window, an audience of the API server's, the
//    ServiceAccount still there with its uid, and a bound object still there with its uid (a pod
//    whose deletionTimestamp has passed is gone: legacy validator's podref check). The user is
//    system:serviceaccount:NS:NAME in groups system:serviceaccounts and system:serviceaccounts:NS.
import { createHash, createSign, createVerify, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { UserInfo } from './authn.ts';
import type { Registry } from './registry.ts';
import type { KubeObject, StoredObject } from './types.ts';
import { resourceByName, type ResourceType } from './resources.ts';
import * as status from './status.ts';

export const ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** kube-apiserver's --api-audiences default: its issuer. */
export const API_AUDIENCES = [ISSUER];
const MIN_SECONDS = 600;
const MAX_SECONDS = 2 ** 32;
const DEFAULT_SECONDS = 3600;

interface BoundRef {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

interface TokenRequestBody {
  kind?: string;
  apiVersion?: string;
  metadata?: { name?: string };
  spec?: { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: BoundRef };
}

interface Claims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
    secret?: { name: string; uid: string };
  };
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

function type(resource: string): ResourceType {
  return resourceByName(resource) as ResourceType;
}

export class ServiceAccountTokens {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly keyId: string;

  constructor(
    private readonly registry: Registry,
    private readonly now: () => number = Date.now,
  ) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.keyId = b64url(createHash('sha256').update(pair.publicKey.export({ type: 'spki', format: 'der' })).digest());
  }

  /** The TokenRequest kube-apiserver answers a create on serviceaccounts/NAME/token with (201). */
  issue(namespace: string, name: string, body: unknown): KubeObject {
    const request = (body ?? {}) as TokenRequestBody;
    if (request.kind !== undefined && request.kind !== 'TokenRequest') throw status.badRequest(`TokenRequest expected, got ${String(request.kind)}`);
    const serviceAccount = this.registry.get(type('serviceaccounts'), namespace, name);
    const spec = request.spec ?? {};
    const seconds = spec.expirationSeconds ?? DEFAULT_SECONDS;
    if (!Number.isInteger(seconds) || seconds < MIN_SECONDS) {
      throw status.invalid('authentication.k8s.io', 'TokenRequest', name, [{ type: 'Invalid', field: 'spec.expirationSeconds', value: seconds, detail: 'may not specify a duration less than 10 minutes' }]);
    }
    if (seconds > MAX_SECONDS) {
      throw status.invalid('authentication.k8s.io', 'TokenRequest', name, [{ type: 'Invalid', field: 'spec.expirationSeconds', value: seconds, detail: 'may not specify a duration larger than 2^32 seconds' }]);
    }
    const audiences = spec.audiences && spec.audiences.length > 0 ? spec.audiences : API_AUDIENCES;
    const k8s: Claims['kubernetes.io'] = { namespace, serviceaccount: { name, uid: serviceAccount.metadata.uid } };
    const ref = spec.boundObjectRef;
    if (ref) {
      const bound = this.boundObject(namespace, name, ref);
      if (ref.kind === 'Pod') k8s.pod = { name: bound.metadata.name, uid: bound.metadata.uid };
      else k8s.secret = { name: bound.metadata.name, uid: bound.metadata.uid };
    }
    const iat = Math.floor(this.now() / 1000);
    const claims: Claims = { aud: audiences, exp: iat + seconds, iat, iss: ISSUER, jti: randomUUID(), 'kubernetes.io': k8s, nbf: iat, sub: `system:serviceaccount:${namespace}:${name}` };
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: null as unknown as string },
      spec: { audiences, expirationSeconds: seconds, boundObjectRef: ref ?? null },
      status: { token: this.sign(claims), expirationTimestamp: new Date(claims.exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    } as unknown as KubeObject;
  }

  private boundObject(namespace: string, serviceAccount: string, ref: BoundRef): StoredObject {
    if ((ref.kind !== 'Pod' && ref.kind !== 'Secret') || (ref.apiVersion ?? 'v1') !== 'v1') {
      throw status.badRequest(`cannot bind token for object of type ${ref.apiVersion ?? ''}, Kind=${ref.kind ?? ''}`);
    }
    const resource = ref.kind === 'Pod' ? 'pods' : 'secrets';
    const object = this.registry.get(type(resource), namespace, ref.name ?? '');
    if (ref.kind === 'Pod' && (object as { spec?: { serviceAccountName?: string } }).spec?.serviceAccountName !== serviceAccount) {
      throw status.badRequest(`cannot bind token for serviceaccount "${serviceAccount}" to pod running with different serviceaccount name.`);
    }
    if (ref.uid && ref.uid !== object.metadata.uid) {
      throw status.conflict({ group: '', resource: ref.kind as string }, ref.name ?? '', `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    return object;
  }

  private sign(claims: Claims): string {
    const input = `${b64url(JSON.stringify({ alg: 'ES256', kid: this.keyId }))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('SHA256').update(input).sign({ key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64url(signature)}`;
  }

  /** The user a bearer token stands for, or undefined when it is not a valid token of this cluster. */
  authenticate(token: string): UserInfo | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    const verified = createVerify('SHA256').update(`${header}.${payload}`).verify({ key: this.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
    if (!verified) return undefined;
    let claims: Claims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
    } catch {
      return undefined;
    }
    const now = Math.floor(this.now() / 1000);
    if (claims.iss !== ISSUER || now >= claims.exp || now < claims.nbf) return undefined;
    if (!claims.aud.some((audience) => API_AUDIENCES.includes(audience))) return undefined;
    const k8s = claims['kubernetes.io'];
    const account = this.registry.tryGet(type('serviceaccounts'), k8s.namespace, k8s.serviceaccount.name);
    if (!account || account.metadata.uid !== k8s.serviceaccount.uid) return undefined;
    if (k8s.pod) {
      const pod = this.registry.tryGet(type('pods'), k8s.namespace, k8s.pod.name);
      if (!pod || pod.metadata.uid !== k8s.pod.uid) return undefined;
      const deletion = pod.metadata.deletionTimestamp;
      if (deletion && Date.parse(deletion) < this.now()) return undefined;
    }
    if (k8s.secret) {
      const secret = this.registry.tryGet(type('secrets'), k8s.namespace, k8s.secret.name);
      if (!secret || secret.metadata.uid !== k8s.secret.uid) return undefined;
    }
    return { name: claims.sub, groups: ['system:serviceaccounts', `system:serviceaccounts:${k8s.namespace}`] };
  }
}
