// The cluster's CA, serving certificate and client certificates. Generated once and cached
// on disk (keys from node's crypto, which is fast; certificates signed with node-forge), so
// every later cluster start — many per test run — costs a file read, not a key generation.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

export interface ClusterPki {
  ca: KeyPairPem;
  server: KeyPairPem;
}

const serverAltNames = [
  { type: 2, value: 'localhost' },
  { type: 2, value: 'kubernetes' },
  { type: 2, value: 'kubernetes.default' },
  { type: 2, value: 'kubernetes.default.svc' },
  { type: 2, value: 'kubernetes.default.svc.cluster.local' },
  { type: 7, ip: '127.0.0.1' },
  { type: 7, ip: '::1' },
  { type: 7, ip: '10.96.0.1' },
];

function newKey(): { pem: string; forgeKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem);
  return { pem, forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

function certificate(subject: forge.pki.CertificateField[], publicKey: forge.pki.rsa.PublicKey, years: number, extensions: object[]): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + years * 365 * 24 * 60 * 60 * 1000);
  cert.setSubject(subject);
  cert.setExtensions(extensions);
  return cert;
}

function createCa(): KeyPairPem & { forgeKey: forge.pki.rsa.PrivateKey; cert: forge.pki.Certificate } {
  const key = newKey();
  const subject = [{ name: 'commonName', value: 'sshpod-test-ca' }];
  const cert = certificate(subject, key.publicKey, 10, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.setIssuer(subject);
  cert.sign(key.forgeKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.pem, forgeKey: key.forgeKey, cert };
}

function issue(ca: KeyPairPem, subject: forge.pki.CertificateField[], usage: 'server' | 'client'): KeyPairPem {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const key = newKey();
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: usage === 'server', clientAuth: usage === 'client' },
  ];
  if (usage === 'server') extensions.push({ name: 'subjectAltName', altNames: serverAltNames });
  const cert = certificate(subject, key.publicKey, 5, extensions);
  cert.setIssuer(caCert.subject.attributes);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.pem };
}

/** Written whole with one rename, so concurrent cluster starts never see half a bundle. */
function writeAtomically(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, path);
}

function stillValid(pair: KeyPairPem, ca?: KeyPairPem): boolean {
  try {
    const cert = forge.pki.certificateFromPem(pair.certPem);
    if (cert.validity.notAfter.getTime() < Date.now() + 24 * 60 * 60 * 1000) return false;
    if (ca) return forge.pki.certificateFromPem(ca.certPem).verify(cert);
    return true;
  } catch {
    return false;
  }
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function loadOrCreatePki(dir: string): ClusterPki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'cluster-pki.json');
  const cached = readJson<ClusterPki>(path);
  if (cached && stillValid(cached.ca) && stillValid(cached.server, cached.ca)) return cached;
  const ca = createCa();
  const pki: ClusterPki = {
    ca: { certPem: ca.certPem, keyPem: ca.keyPem },
    server: issue(ca, [{ name: 'commonName', value: 'kube-apiserver' }], 'server'),
  };
  writeAtomically(path, JSON.stringify(pki));
  return pki;
}

/** A client certificate for `user` (CN) in `groups` (O), as kube-apiserver's x509 authenticator reads them. */
export function clientCertificate(dir: string, pki: ClusterPki, user: string, groups: string[]): KeyPairPem {
  const safe = Buffer.from(JSON.stringify([user, groups])).toString('base64url');
  const path = join(dir, `client-${safe}.json`);
  const cached = readJson<KeyPairPem>(path);
  if (cached && stillValid(cached, pki.ca)) return cached;
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: user }, ...groups.map((g) => ({ name: 'organizationName', value: g }))];
  const pair = issue(pki.ca, subject, 'client');
  writeAtomically(path, JSON.stringify(pair));
  return pair;
}
