#!/usr/bin/env bash
# Makes the real lane's container images locally, without a registry, as one-layer docker-archive
# tarballs that `ctr images import` takes: pause (a static C program, containerd's sandbox image),
# busybox (Debian's busybox-static), debian (debootstrap minbase bookworm, plus rsync for the rsync
# test) and distroless (no shell at all: only the static pause binary). Kept in the lane's cache;
# an image is rebuilt only when its tarball is missing.
set -euo pipefail

cache=${SSHPOD_REAL_CACHE:-/var/cache/sshpod-real-k8s}
out=$cache/images
work=$cache/images/work
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9

log() { echo "real-k8s images: $*" >&2; }

# What every image's main process does unless a pod says otherwise: wait, and end at once on
# SIGTERM (a plain `sleep` as PID 1 ignores it, and every pod deletion would take the full grace period).
idle='trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'

# pack NAME ROOTFS CMD_JSON: a docker-archive with one layer, tagged sshpod.local/NAME:test.
pack() {
  local name=$1 rootfs=$2 cmd=$3 dir
  dir=$(mktemp -d "$work/pack.XXXXXX")
  tar --numeric-owner --sort=name -C "$rootfs" -cf "$dir/layer.tar" .
  local diff_id
  diff_id=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
  cat >"$dir/config.json" <<EOF
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":$cmd,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]}}
EOF
  echo "[{\"Config\":\"config.json\",\"RepoTags\":[\"sshpod.local/$name:test\"],\"Layers\":[\"layer.tar\"]}]" >"$dir/manifest.json"
  tar -C "$dir" -cf "$out/$name.tar.tmp" manifest.json config.json layer.tar
  mv "$out/$name.tar.tmp" "$out/$name.tar"
  rm -rf "$dir"
  log "$name: $(du -h "$out/$name.tar" | cut -f1)"
}

mkdir -p "$work"

if [ ! -s "$out/pause.tar" ] || [ ! -s "$out/distroless.tar" ]; then
  root=$(mktemp -d "$work/pause.XXXXXX")
  gcc -static -O2 -o "$root/pause" "$here/pause.c"
  strip "$root/pause"
  pack pause "$root" '["/pause"]'
  pack distroless "$root" '["/pause"]'
  rm -rf "$root"
fi

if [ ! -s "$out/busybox.tar" ]; then
  root=$(mktemp -d "$work/busybox.XXXXXX")
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/proc" "$root/sys" "$root/dev"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n' >"$root/etc/group"
  pack busybox "$root" "[\"/bin/sh\",\"-c\",$(printf '%s' "$idle" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')]"
  rm -rf "$root"
fi

if [ ! -s "$out/debian.tar" ]; then
  root=$(mktemp -d "$work/debian.XXXXXX")
  log "debian: debootstrap --variant=minbase bookworm (a few minutes)"
  debootstrap --variant=minbase --include=rsync bookworm "$root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  pack debian "$root" "[\"/bin/bash\",\"-c\",$(printf '%s' "$idle" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')]"
  rm -rf "$root"
fi
