#!/bin/sh
# Builds one container's root filesystem. nsexec starts this script as PID 1 of the container's
# new PID namespace, in a new mount namespace copied from the pod sandbox's, still on the host's
# root; the script mounts everything under a scratch tmpfs, then execs "$@": nsexec, which
# pivots into the new root, becomes the container's user and runs its command. Every mount lives
# only in this mount namespace and vanishes with it: nothing is left on the host.
#
# Environment (see plan.ts):
#   SSHPOD_SCRATCH        empty host directory: a tmpfs goes there (upper layer, work, rootfs)
#   SSHPOD_LAYERS         overlay lowerdir (colon-separated, topmost first)
#   SSHPOD_HIDDEN         paths of the layers a container must not see, one per line
#   SSHPOD_EMPTY_DIRS     "<octal mode><TAB><path>" per line: directories to (re)create
#   SSHPOD_ETC            directory with the pod's hosts, hostname and resolv.conf
#   SSHPOD_TMP_OPTIONS    mount options of the /tmp tmpfs
#   SSHPOD_MOUNTS         "<ro|rw><TAB><source><TAB><target>" per line: volume bind mounts
#   SSHPOD_WORKDIR        created when missing, as runc does
#   SSHPOD_READONLY_ROOT  "true": the root filesystem is made read-only, last
set -eu

tab=$(printf '\t')
scratch=$SSHPOD_SCRATCH
root=$scratch/rootfs
readonly_root=$SSHPOD_READONLY_ROOT

# Prints the non-empty lines of $1.
lines() {
  printf '%s\n' "$1" | while IFS= read -r line; do
    [ -z "$line" ] || printf '%s\n' "$line"
  done
}

mount -t tmpfs -o mode=0755 tmpfs "$scratch"
mkdir "$scratch/upper" "$scratch/work" "$root"

# Hidden paths become whiteouts (0:0 character devices) in the upper layer before the overlay
# exists: a whole directory tree disappears at the cost of one mknod.
lines "$SSHPOD_HIDDEN" | while IFS= read -r path; do
  mkdir -p "$scratch/upper${path%/*}"
  mknod "$scratch/upper$path" c 0 0
done
mount -t overlay overlay -o "lowerdir=$SSHPOD_LAYERS,upperdir=$scratch/upper,workdir=$scratch/work" "$root"
lines "$SSHPOD_EMPTY_DIRS" | while IFS="$tab" read -r mode path; do
  mkdir -p "$root$path"
  chmod "$mode" "$root$path"
done

# Kernel filesystems and a minimal /dev, as runc sets them up.
mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
mount -t tmpfs -o mode=0755,nosuid,size=65536k tmpfs "$root/dev"
device() { mknod -m 0666 "$root/dev/$1" c "$2" "$3"; }
device null 1 3
device zero 1 5
device full 1 7
device random 1 8
device urandom 1 9
device tty 5 0
mkdir "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec devpts "$root/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev,noexec,size=65536k shm "$root/dev/shm"
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"

mount -t tmpfs -o "$SSHPOD_TMP_OPTIONS" tmpfs "$root/tmp"

# kubelet's files; read-only with a read-only root, like containerd mounts them.
etc_options=bind
[ "$readonly_root" != true ] || etc_options=bind,ro
mkdir -p "$root/etc"
for file in hosts hostname resolv.conf; do
  [ -e "$root/etc/$file" ] || : >"$root/etc/$file"
  mount -o "$etc_options" "$SSHPOD_ETC/$file" "$root/etc/$file"
done

lines "$SSHPOD_MOUNTS" | while IFS="$tab" read -r mode source target; do
  mkdir -p "$root$target"
  if [ "$mode" = ro ]; then
    mount -o bind,ro "$source" "$root$target"
  else
    mount -o bind "$source" "$root$target"
  fi
done

mkdir -p "$root$SSHPOD_WORKDIR"
[ "$readonly_root" != true ] || mount -o remount,bind,ro "$root"
exec "$@"
