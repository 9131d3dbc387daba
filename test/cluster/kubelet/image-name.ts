// Pod `image:` references → the runtime's image names. Registries, tags and digests are
// ignored: `docker.io/library/busybox:1.36` and `busybox@sha256:…` both run `busybox`.
import type { ImageName } from '../runtime/types.ts';

export const imageNames: readonly ImageName[] = ['debian', 'busybox', 'minimal', 'arm64', 'distroless'];

export function imageNameOf(reference: string): ImageName | undefined {
  const withoutDigest = reference.split('@')[0] ?? '';
  const lastPath = withoutDigest.split('/').pop() ?? '';
  const name = lastPath.split(':')[0] ?? '';
  return (imageNames as readonly string[]).includes(name) ? (name as ImageName) : undefined;
}

/** What a pull of an unknown image reports, in containerd's shape, naming the images that exist. */
export function imagePullMessage(reference: string): string {
  return `Failed to pull image "${reference}": rpc error: code = NotFound desc = failed to pull and unpack image "${reference}": not found: the sshpod test cluster only has the images ${imageNames.join(', ')} (tags and registries are ignored)`;
}
