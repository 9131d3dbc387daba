// The /etc files and directories of the images built from scratch, copied from what the
// official busybox and distroless images ship (users root and nobody among them).
import type { DirSpec } from './catalog.ts';

export interface Skeleton {
  dirs: DirSpec[];
  files: Record<string, string>;
}

const busyboxPasswd = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
`;

const busyboxGroup = `root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
`;

/** Mount points the runtime mounts over in every container. */
const mountPoints: DirSpec[] = [
  { path: '/dev', mode: 0o755 },
  { path: '/proc', mode: 0o555 },
  { path: '/sys', mode: 0o555 },
  { path: '/tmp', mode: 0o1777 },
];

export const busyboxSkeleton: Skeleton = {
  dirs: [
    ...mountPoints,
    { path: '/bin', mode: 0o755 },
    { path: '/etc', mode: 0o755 },
    { path: '/home', mode: 0o755 },
    { path: '/root', mode: 0o700 },
    { path: '/usr/sbin', mode: 0o755 },
    { path: '/var/spool/mail', mode: 0o755 },
    { path: '/var/www', mode: 0o755 },
  ],
  files: { '/etc/passwd': busyboxPasswd, '/etc/group': busyboxGroup },
};

export const distrolessSkeleton: Skeleton = {
  dirs: [
    ...mountPoints,
    { path: '/etc', mode: 0o755 },
    { path: '/home/nonroot', mode: 0o700 },
    { path: '/root', mode: 0o700 },
  ],
  files: {
    '/etc/passwd':
      'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
    '/etc/group': 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n',
  },
};

/** The applets the `minimal` image leaves out: no way to decompress or unpack anything. */
export const archiveApplets = new Set([
  'ar', 'bunzip2', 'bzcat', 'bzip2', 'cpio', 'dpkg', 'dpkg-deb', 'gunzip', 'gzip', 'lzcat', 'lzma',
  'lzop', 'lzopcat', 'rpm', 'rpm2cpio', 'tar', 'uncompress', 'unlzma', 'unlzop', 'unxz', 'unzip',
  'xz', 'xzcat', 'zcat',
]);

/** `ldd` output → the absolute paths of the libraries a binary loads. */
export function parseLdd(output: string): string[] {
  const paths: string[] = [];
  for (const line of output.split('\n')) {
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (match?.[1]) paths.push(match[1]);
  }
  return paths;
}
