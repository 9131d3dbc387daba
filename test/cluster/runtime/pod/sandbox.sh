#!/bin/sh
# The pod sandbox (Kubernetes' pause container). nsexec starts it in new network, IPC, UTS and
# mount namespaces; it brings up loopback, mounts a tmpfs for each memory-backed emptyDir (in its
# own mount namespace, which the containers' mount namespaces are copied from, so the host never
# sees these mounts), then execs "$@": nsexec reporting on the status fd, then a sleeper that
# holds the namespaces until the pod stops.
#
# Environment: SSHPOD_MEMORY_VOLUMES, one directory per line.
set -eu

ip link set lo up
printf '%s\n' "${SSHPOD_MEMORY_VOLUMES:-}" | while IFS= read -r dir; do
  [ -z "$dir" ] || mount -t tmpfs -o mode=1777 tmpfs "$dir"
done
exec "$@"
