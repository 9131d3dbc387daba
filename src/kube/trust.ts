// Which certificate authorities the API server's certificate is checked against: the kubeconfig's
// CA when it has one (as kubectl does), else the public roots Node trusts by default.
//
// Why this is spelt out: creating a TLS context with a CA makes Node build its whole default root
// store first (GetOrCreateRootCertStore in src/crypto/crypto_context.cc, only to compare a
// pointer), ~25 ms of certificate parsing on every ssh connect. The ProxyCommand runs node with
// --use-openssl-ca, which makes that store OpenSSL's lazily loaded system one instead. Contexts
// given a CA trust only that CA either way; contexts without one would then trust the system
// store, so they get Node's bundled roots (and NODE_EXTRA_CA_CERTS) explicitly, as without the flag.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

export function defaultCertificateAuthorities(): string[] {
  const authorities = [...rootCertificates];
  const extra = process.env['NODE_EXTRA_CA_CERTS'];
  if (extra) {
    try {
      authorities.push(readFileSync(extra, 'utf8'));
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS.
    }
  }
  return authorities;
}
