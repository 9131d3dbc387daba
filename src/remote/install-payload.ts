// What sshpod writes to the exec's stdin after `status=need-install`: a header announcing every
// length and sshd's checksum, then the pod's own host key (made for this install, never shared
// with another pod), the sshd_config and sshd itself. The script reads exactly these lengths
// because the exec API may not be able to signal end of input (protocol v4). Secrets travel here,
// on stdin, never in the exec's argv, which every process in the container can read.
import type { BundlePayload } from './bundles.ts';

export interface InstallPayloadInput {
  hostPrivateKey: string;
  hostPublicKey: string;
  sshdConfig: string;
  bundle: BundlePayload;
}

function lines(text: string): string[] {
  const trimmed = text.endsWith('\n') ? text.slice(0, -1) : text;
  return trimmed.split('\n');
}

export function renderInstallPayload(input: InstallPayloadInput): Buffer {
  const key = lines(input.hostPrivateKey);
  const config = lines(input.sshdConfig);
  if (/[\r\n]/.test(input.hostPublicKey)) throw new Error('host public key spans lines');
  if (!/^[0-9a-f]{64}$/.test(input.bundle.rawSha256)) throw new Error('bad sshd checksum');
  const header = `sshpod-install 2 ${key.length} ${config.length} ${input.bundle.bytes.length} ${input.bundle.rawBytes} ${input.bundle.format} ${input.bundle.rawSha256}`;
  const text = [header, ...key, input.hostPublicKey, ...config].join('\n') + '\n';
  return Buffer.concat([Buffer.from(text, 'utf8'), input.bundle.bytes]);
}
