#!/bin/sh
# Installs the Debian packages the local test cluster, the bundle tests and the end-to-end
# suite need. Idempotent and quiet when everything is present. Needs root (CI runs as root).
# --real-k8s adds what the real-Kubernetes lane (npm run test:real) builds and runs with.
set -eu

# ssh/scp/sftp, rsync and git are what the end-to-end suite drives (git and rsync on both ends:
# the debian test image is the host's root).
packages="openssh-client socat rsync git iproute2 util-linux busybox-static qemu-user-static binfmt-support dash"
# The test cluster's runtime: gcc + libc6-dev compile its nsexec helper and the distroless
# image's static sleeper; mount and iproute2 set up pods; the `debian` test image is the host's
# own root, so what it promises (python3, xz, gzip, tar, rsync, bash, util-linux) must be here.
packages="$packages gcc libc6-dev mount python3 xz-utils gzip tar bash coreutils"
# musl-gcc compiles the sshd bundle's allocation helpers (bundles/compat) with the libc they ship
# with, for their contract tests (test/bundles/recallocarray.test.ts, large-block-cache.test.ts).
packages="$packages musl-tools"
# Lints the runtime's setup scripts (test/cluster/runtime/pod/scripts.test.ts).
packages="$packages shellcheck"
# The shells whose completion the suite drives (test/e2e/completion.test.ts), and bash-completion,
# whose _ssh the bash script must keep working.
packages="$packages bash-completion zsh fish"
# The browser the web terminal's end-to-end test drives over the DevTools protocol (test/e2e/browser.ts).
packages="$packages chromium"

# The real lane (test/real/cluster): Go to build kube-apiserver, kubelet and kube-controller-manager
# from Debian's `kubernetes` source package (dpkg-dev unpacks it), etcd, containerd + runc + the CNI
# plugins to run them, debootstrap for its debian image.
if [ "${1:-}" = "--real-k8s" ]; then
  packages="$packages golang etcd-server containerd runc containernetworking-plugins debootstrap dpkg-dev"
fi

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-host-deps: missing Debian packages:$missing (run as root, or: sudo apt-get install$missing)" >&2
    exit 1
  fi
  echo "install-host-deps: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The arm64 test image is Debian's busybox-static:arm64, fetched with `apt-get download` when
# the test cluster first needs it: apt must know the arm64 architecture and its package lists.
if [ "$(id -u)" = 0 ]; then
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  apt-cache show busybox-static:arm64 >/dev/null 2>&1 || apt-get update -qq >/dev/null
fi

# arm64 containers and the arm64 sshd run through qemu-user-static. The F flag makes the kernel
# open the interpreter at registration time, so it works inside chroots and mount namespaces.
# The P flag keeps argv[0]: busybox re-executes itself through /proc/self/exe with an applet's
# name as argv[0], and without P every such applet (cat, mkdir, ...) would run as `sh`. The
# interpreter is Debian's aarch64-binfmt-P name for qemu-aarch64-static, which tells qemu that
# argv[0] is preserved (the registration Debian's binfmt-support makes).
binfmt=/proc/sys/fs/binfmt_misc/qemu-aarch64
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
fi
if [ -e "$binfmt" ] && ! grep -q '^flags: .*P' "$binfmt"; then
  echo -1 >"$binfmt" # registered without P (by an older version of this script): register again
fi
if [ -e /proc/sys/fs/binfmt_misc/register ] && [ ! -e "$binfmt" ]; then
  magic='\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
  mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
  printf ':qemu-aarch64:M::%s:%s:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:PF\n' "$magic" "$mask" \
    >/proc/sys/fs/binfmt_misc/register
fi
if [ ! -e "$binfmt" ]; then
  echo "install-host-deps: could not register qemu-aarch64 in binfmt_misc; arm64 tests will fail" >&2
  exit 1
fi
