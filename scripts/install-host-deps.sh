#!/bin/sh
# Installs the Debian packages the local test cluster, the bundle tests and the end-to-end
# suite need. Idempotent and quiet when everything is present. Needs root (CI runs as root).
set -eu

packages="openssh-client socat rsync iproute2 util-linux busybox-static qemu-user-static binfmt-support dash"

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
