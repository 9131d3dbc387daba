import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { defaultCertificateAuthorities } from '../../src/kube/trust.ts';

test('without a kubeconfig CA, Node\'s own roots and NODE_EXTRA_CA_CERTS are trusted, as by default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshpod-trust-'));
  const saved = process.env['NODE_EXTRA_CA_CERTS'];
  try {
    delete process.env['NODE_EXTRA_CA_CERTS'];
    assert.deepEqual(defaultCertificateAuthorities(), [...rootCertificates]);
    writeFileSync(join(dir, 'extra.pem'), '-----BEGIN CERTIFICATE-----\nextra\n-----END CERTIFICATE-----\n');
    process.env['NODE_EXTRA_CA_CERTS'] = join(dir, 'extra.pem');
    const withExtra = defaultCertificateAuthorities();
    assert.equal(withExtra.length, rootCertificates.length + 1);
    assert.match(withExtra.at(-1) ?? '', /extra/);
  } finally {
    if (saved === undefined) delete process.env['NODE_EXTRA_CA_CERTS'];
    else process.env['NODE_EXTRA_CA_CERTS'] = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});
