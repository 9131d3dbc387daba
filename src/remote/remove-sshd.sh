# sshpod's clean-up in a container (`sshpod cleanup`, and `sshpod ls --check` to look only).
# Runs as `sh -c <this> sshpod ARGS...` through the exec API, like prepare-sshd.sh, under the same
# threat model: every other uid in the container is an attacker, so a path is trusted only once —
# entered with cd -P, checked to be ours and reached without a symlink — and every name after that
# is relative. Nothing here follows a path another uid could have changed, and nothing is removed
# that is not one of sshpod's own file names in sshpod's own directory.
#
#   $1 protocol (2)   $2 pod uid   $3 container   $4 mode: status | remove
#
# Replies go to stdout as `key=value` lines, one group per install found:
#   dir=<path> running=0|1 pid=<n> port=<n> sessions=<n> idle=<at most this many seconds, or empty>
#   removed=0|1 (mode remove)   busy=1 (another connection holds its lock: left alone)
# and at the end `end=finished` (or `end=<problem>`: protocol, bad-argument, no-tools).

set -u
set -f
exec 3>&1 1>&2

proto=$1 pod_uid=$2 container=$3 mode=$4

reply() { printf '%s=%s\n' "$1" "$2" >&3; }
finish() {
  reply end "$1"
  exit 0
}

[ "$proto" = 2 ] || finish protocol
case $pod_uid in '' | *[!0-9a-zA-Z-]*) finish bad-argument ;; esac
case $container in '' | *[!0-9a-z-]*) finish bad-argument ;; esac
case $mode in status | remove) ;; *) finish bad-argument ;; esac

uid=''
if [ -r /proc/self/status ]; then
  while read -r key _ effective _; do
    [ "$key" = Uid: ] && uid=$effective && break
  done </proc/self/status
fi
[ -n "$uid" ] || uid=$(id -u 2>/dev/null)
[ -n "$uid" ] || finish no-tools

# The places prepare-sshd.sh may have installed in: the same candidate bases, in the same order.
suffix="sshpod/$pod_uid/$container"
candidates="${TMPDIR:-/tmp} /tmp ${HOME:-/tmp} /var/tmp /dev/shm /run"
if [ -r /proc/self/mounts ]; then
  while read -r _ mount_point fs_type mount_options _; do
    case $fs_type in proc | sysfs | devpts | cgroup* | mqueue | securityfs | debugfs | tracefs | pstore | bpf | configfs | fusectl | hugetlbfs | autofs | binfmt_misc) continue ;; esac
    case ",$mount_options," in *,ro,*) continue ;; esac
    case $mount_point in / | /proc* | /sys* | /dev | /etc/* | *\\*) continue ;; esac
    candidates="$candidates $mount_point"
  done </proc/self/mounts
fi

# The listener: our pid file's process, which must be an sshd owned by us and alive.
listener_pid() {
  pid=''
  [ -r sshd.pid ] || return 1
  read -r pid <sshd.pid || return 1
  case $pid in '' | *[!0-9]*) pid='' && return 1 ;; esac
  [ -r "/proc/$pid/stat" ] || return 1
  read -r _ comm state _ <"/proc/$pid/stat" || return 1
  [ "$comm" = '(sshd)' ] && [ "$state" != Z ] && [ "$state" != X ] || return 1
  owner=''
  while read -r key real _; do
    [ "$key" = Uid: ] && owner=$real && break
  done <"/proc/$pid/status"
  [ "$owner" = "$uid" ]
}

# Connections of that listener: its sshd children.
count_sessions() {
  sessions=0
  for stat in /proc/[0-9]*/stat; do
    read -r _ comm _ ppid _ 2>/dev/null <"$stat" || continue
    [ "$comm" = '(sshd)' ] && [ "$ppid" = "$1" ] && sessions=$((sessions + 1))
  done
}

# An upper bound of how long it has been idle: the seconds since the newest change sshd or sshpod
# made here (the directory when files come and go, sshd.log when sshd writes to it), via stat or
# date -r. Empty when neither tool can tell.
idle_seconds() {
  idle='' newest=''
  for name in sshd.log .; do
    changed=$(stat -c %Y "$name" 2>/dev/null) || changed=$(date -r "$name" +%s 2>/dev/null) || continue
    case $changed in '' | *[!0-9]*) continue ;; esac
    if [ -z "$newest" ] || [ "$changed" -gt "$newest" ]; then newest=$changed; fi
  done
  [ -n "$newest" ] || return 0
  current=$(date +%s 2>/dev/null) || return 0
  case $current in '' | *[!0-9]*) return 0 ;; esac
  idle=$((current - newest))
}

# Removes sshpod's files from the current directory (ours; names only sshpod writes there).
remove_here() {
  rm -f sshd sshd_config version arch ssh_host_ed25519_key ssh_host_ed25519_key.pub \
    authorized_keys passwd sshd.pid port port.new sshd.log \
    sshd.new sshd_config.new ssh_host_ed25519_key.new ssh_host_ed25519_key.pub.new arch.new version.new \
    host_ed25519_key host_ed25519_key.pub
  [ -d empty ] && rmdir empty 2>/dev/null
  rm -rf lock
  # cd -P .. goes to the parent of the directory we are in, whatever its path became.
  cd -P .. && rmdir "$container" 2>/dev/null && cd -P .. && rmdir "$pod_uid" 2>/dev/null && cd -P .. && rmdir sshpod 2>/dev/null
  return 0
}

seen=' '
for base in $candidates; do
  case $base in /*) ;; *) continue ;; esac
  cd -P "$base" 2>/dev/null || continue
  base_path=${PWD%/}
  case $seen in *" $base_path "*) continue ;; esac
  seen="$seen$base_path "
  cd -P "$suffix" 2>/dev/null || continue
  if [ "$PWD" != "$base_path/$suffix" ] || [ ! -O . ] || [ ! -O .. ] || [ ! -O ../.. ]; then continue; fi
  dir=$PWD
  reply dir "$dir"
  running=0 port='' sessions=0
  if listener_pid; then
    running=1
    count_sessions "$pid"
  fi
  # shellcheck disable=SC2094 # reads the file named port into $port
  [ -r port ] && read -r port <port
  case $port in *[!0-9]*) port='' ;; esac
  idle_seconds
  reply running "$running"
  reply pid "$pid"
  reply port "$port"
  reply sessions "$sessions"
  reply idle "$idle"
  if [ "$mode" = remove ]; then
    if ! mkdir lock 2>/dev/null; then
      holder=''
      [ -r lock/pid ] && read -r holder <lock/pid
      case $holder in '' | *[!0-9]*) holder='' ;; esac
      if [ -n "$holder" ] && [ -d "/proc/$holder" ]; then
        reply busy 1
        reply removed 0
        continue
      fi
    fi
    echo $$ >lock/pid 2>/dev/null
    # The listener only: connections in progress keep their processes until they end.
    [ "$running" = 1 ] && kill "$pid" 2>/dev/null
    remove_here
    reply removed 1
  fi
done
finish finished
