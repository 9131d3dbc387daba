// What sshpod writes to the exec's stdin after `status=need-install`: a header announcing every
// length, then the host key, the sshd_config and sshd itself. The script reads exactly these
// lengths because the exec API may not be able to signal end of input (protocol v4).
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
  const header = `sshpod-install 1 ${key.length} ${config.length} ${input.bundle.bytes.length} ${input.bundle.rawBytes} ${input.bundle.format}`;
  const text = [header, ...key, input.hostPublicKey, ...config].join('\n') + '\n';
  return Buffer.concat([Buffer.from(text, 'utf8'), input.bundle.bytes]);
}
