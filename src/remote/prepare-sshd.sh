# sshpod's remote side (protocol 2). Runs as `sh -c <this> sshpod ARGS...` through the exec API,
# once per connection that cannot go straight to a running sshd. Everything it needs arrives as
# positional parameters (never spliced into this text, so no value is ever parsed as shell code)
# and, on the cold path only, on stdin. Nothing secret is in argv: other processes can read it.
#
#   $1 protocol (2)        $2 pod uid        $3 container        $4 ssh login name
#   $5 bundle versions by `uname -m`: "x86_64=V amd64=V aarch64=W arm64=W"
#   $6 the client's public key line   $7 candidate ports: "41234 52311 ..."
#   $8 seconds without a connection after which sshd exits and removes its files (0: never)
#   $9 "view" when this runs in sshpod's ephemeral container for a container without a shell
#      (see "the view of a container without a shell" below); empty otherwise
#
# Replies go to stdout as `key=value` lines (sshpod parses them; nothing else is written there):
#   status=ready         port=, hostkey=, dir=, user=, arch=, end=ready   sshd runs; connect to port
#   status=waiting       reason=, end=waiting     still at work (another connection holds the lock)
#   status=need-install  dir=, arch=, gzip=0|1, in view mode view-root=, view-tools= and
#                        view-path= (the target's PATH, what only root can write of it), then
#                        environ-bytes=N and N raw bytes of the exec's environment (in view
#                        mode: the target's); the script then reads the install from stdin:
#                          sshpod-install 2 <key-lines> <config-lines> <payload-bytes> <raw-bytes> <gzip|raw> <sha256>
#                          <key-lines> lines of the private host key, one line of its public key,
#                          <config-lines> lines of sshd_config, then <payload-bytes> of sshd.
#                        and answers status=ready, status=error, or (when that directory could not
#                        take the files, e.g. a full disk) status=need-install again for the next.
#   status=error         error=<code>, message=<one line>, users=<names> for user errors, end=error
#
# Threat model: root (or the container's own uid) runs this; every OTHER uid in the container is
# an attacker that may race it — and may own or write the directories on the way to ours (an
# emptyDir /tmp is 0777 without the sticky bit; the app's $HOME is the app's). So a path is never
# trusted twice: the script enters its directory, checks that what it is in is its own (owned
# by us, reached without a symlink), and from then on uses relative names only. sshd is started
# from there and names all its files /proc/self/cwd/<name> (the bundle keeps its working
# directory: bundles/compat/keep-cwd.c), so renaming or replacing anything on the path afterwards
# changes nothing for it. Inside our directory only we can create, rename or replace anything.
#
# The exec API may be unable to half-close stdin (protocol v4), so nothing here waits for EOF:
# every read is of a known number of lines or bytes.

set -u
set -f
umask 077
# Replies go to fd 3; anything else a command prints lands on stderr, never in the reply stream.
exec 3>&1 1>&2

proto=$1 pod_uid=$2 container=$3 login=$4 versions=$5 pubkey=$6 ports=$7 idle=${8:-0} view=${9:-}

reply() { printf '%s=%s\n' "$1" "$2" >&3; }

fail() {
  reply status error
  reply error "$1"
  reply message "$2"
  [ -n "${3:-}" ] && reply users "$3"
  reply end error
  exit 0
}

have() { command -v "$1" >/dev/null 2>&1; }

[ "$proto" = 2 ] || fail protocol "this container was prepared by a different sshpod protocol ($proto)"
case $pod_uid in '' | *[!0-9a-zA-Z-]*) fail bad-argument "invalid pod uid" ;; esac
case $container in '' | *[!0-9a-z-]*) fail bad-argument "invalid container name" ;; esac
case $login in '' | -* | *[!A-Za-z0-9._-]*) fail bad-user "invalid user name" ;; esac
case $pubkey in 'ssh-ed25519 '*) ;; *) fail bad-argument "invalid public key" ;; esac
case $pubkey in *[!A-Za-z0-9+/=\ ._@:-]*) fail bad-argument "invalid public key" ;; esac
case $ports in '' | *[!0-9\ ]*) fail bad-argument "invalid port list" ;; esac
case $idle in '' | *[!0-9]*) fail bad-argument "invalid idle time" ;; esac
case $view in '' | view) ;; *) fail bad-argument "invalid view mode" ;; esac

# --- who we are ---------------------------------------------------------------------------
uid='' gid=''
if [ -r /proc/self/status ]; then
  while read -r key _ effective _; do
    case $key in Uid:) uid=$effective ;; Gid:) gid=$effective ;; esac
  done </proc/self/status
fi
[ -n "$uid" ] || uid=$(id -u 2>/dev/null)
[ -n "$gid" ] || gid=$(id -g 2>/dev/null)
[ -n "$uid" ] || fail no-tools "cannot tell which user the container runs as (no /proc, no id)"

# Looks a passwd entry up by name ($1=name) or uid ($1=uid), setting pw_name pw_uid pw_gid
# pw_home pw_shell. Returns 1 when there is none.
lookup_passwd() {
  [ -r /etc/passwd ] || return 1
  while IFS=: read -r pw_name _ pw_uid pw_gid _ pw_home pw_shell; do
    case $1 in
      name) [ "$pw_name" = "$2" ] && return 0 ;;
      uid) [ "$pw_uid" = "$2" ] && return 0 ;;
    esac
  done </etc/passwd
  return 1
}

# Users with a login shell, for error messages.
usable_users() {
  [ -r /etc/passwd ] || return 0
  count=0 names=''
  while IFS=: read -r pw_name _ _ _ _ _ pw_shell; do
    case ${pw_shell:-/bin/sh} in */nologin | */false | */sync | */shutdown | */halt) continue ;; esac
    [ -x "${pw_shell:-/bin/sh}" ] || continue
    names="$names${names:+ }$pw_name"
    count=$((count + 1))
    [ "$count" -ge 20 ] && break
  done </etc/passwd
  printf '%s' "$names"
}

# The shell for fallback entries and the exec probe; /bin/sh almost always (and no fork to learn it).
if [ -x /bin/sh ]; then
  sh_path=/bin/sh
else
  sh_path=$(command -v sh)
  case $sh_path in /*) ;; *) sh_path=/bin/sh ;; esac
fi

# Entries sshd finds in $SSHPOD_PASSWD (the bundle searches it before /etc/passwd): names this
# container cannot resolve itself, and users whose login shell cannot run a command.
fallback_entries=''
add_fallback() { fallback_entries="$fallback_entries${fallback_entries:+ }$1"; }

# The found user (pw_*) logs in with sh when its shell is nologin, false or missing, as
# `kubectl exec` would let them run commands anyway.
shell_for_found_user() {
  case ${pw_shell:-/bin/sh} in
    */nologin | */false) ;;
    *) [ -x "${pw_shell:-/bin/sh}" ] && return 0 ;;
  esac
  case $pw_home in '' | *[!A-Za-z0-9/._-]*) pw_home=/ ;; esac
  add_fallback "$pw_name:x:$pw_uid:$pw_gid:sshpod:$pw_home:$sh_path"
}

# --- the view of a container without a shell (view mode) ------------------------------------
# sshpod added an ephemeral container (an image with a shell) that shares the target container's
# PID namespace, and runs this there, as root. Sessions must land in the target's view, so sshd
# chroots them into the target's root filesystem, /proc/1/root. Its ChrootDirectory must be
# reached through root-owned directories nobody else can write, so it names /sshpod-view/root, a
# link we keep in a directory of our own in this container's root (which no other uid can reach:
# /proc/<pid>/root of a root process is closed to them).
#
# The target is PID 1, and only PID 1: targetContainerName puts us in the target's namespace,
# whose first process is the target's; no other process can become PID 1 and its number is never
# reused while the namespace lives. Any other process could be another uid's, named anything
# (comm is the process's own to set) and, in a user namespace of its own, in a root of its own
# making — whose files root would then run. For the same reason PID 1 must be in our user
# namespace: outside the container's own, an unprivileged process can chroot.
#
# Inside the target's root there is no shell, and no loader or libraries either: the login shell
# is this container's, reached through /proc/<holder>/root (/proc there is the target's, which
# shows the shared PID namespace; holder is this container's first process), and it must be
# statically linked: /bin/sh, or a static busybox when /bin/sh is not (dash, bash).
# /sshpod-view/bin holds what sessions run from this image (see make_view_bin).
view_root='' view_tools='' view_shell='' view_busybox='' view_path='' environ_pid=$$

# The loader a program names (PT_INTERP, in its first KiB), or nothing for a static one.
interp_of() { head -c 1024 "$1" 2>/dev/null | tr -c 'A-Za-z0-9/._-' '\n' | grep -m 1 '^/.*/ld-.*\.so'; }
is_elf() { case $(head -c 4 "$1" 2>/dev/null) in ?ELF) return 0 ;; esac; return 1; }
is_static() { is_elf "$1" && [ -z "$(interp_of "$1")" ]; }
# The physical path of program $1 in this container, if it is a plain path.
program_path() {
  found=$(command -v "$1" 2>/dev/null) && found=$(readlink -f "$found" 2>/dev/null) || return 1
  case $found in /*) ;; *) return 1 ;; esac
  case $found in *[!A-Za-z0-9/._+-]*) return 1 ;; esac
  printf '%s' "$found"
}
# Points link $2 at $1 unless it does already (concurrent connections see no gap).
keep_link() { [ "$(readlink "$2" 2>/dev/null)" = "$1" ] || ln -sfn "$1" "$2"; }

# Whether the current directory is root's and nobody else may change what is in it.
only_root_writes_here() {
  [ -O . ] || return 1
  # shellcheck disable=SC2046 # ls -ldn prints "drwxr-xr-x N uid gid ..."; the mode is the first word
  set -- $(ls -ldn . 2>/dev/null)
  case ${1:-} in d????w* | d???????w*) return 1 ;; d*) return 0 ;; esac
  return 1
}

# Whether directory $1 of the target's root is reached through directories only root can change:
# each component a real directory (no symlink), root's, not writable by group or others. Checked
# from the top, so that what was checked cannot be swapped afterwards (only root could). Root's
# sessions start in their home and run what PATH finds: another uid must not be able to plant a
# .profile, an ash history symlink or a program there.
safe_in_target() {
  case $1 in /*) ;; *) return 1 ;; esac
  case $1 in *[!A-Za-z0-9/._+-]*) return 1 ;; esac
  (
    cd -P /proc/1/root/ 2>/dev/null && only_root_writes_here || exit 1
    IFS=/
    for part in $1; do
      case $part in '') continue ;; . | ..) exit 1 ;; esac
      [ ! -L "$part" ] && cd -P "$part" 2>/dev/null && only_root_writes_here || exit 1
    done
  )
}

if [ "$view" = view ]; then
  [ "$uid" = 0 ] || fail view-needs-root "sshpod's debug container does not run as root, so it cannot enter the target container's view"
  [ "$login" = root ] || fail view-user "sessions in the view of a container without a shell run as root" root
  have head && have tr && have grep && have readlink || fail view-no-shell "sshpod's debug container lacks head, tr, grep or readlink"
  # shellcheck disable=SC3013 # -ef: in dash, busybox and bash; view mode runs in sshpod's own debug image
  if [ /proc/1/root/ -ef / ] || [ ! -d /proc/1 ]; then
    fail view-no-target "the target container's processes are not visible from sshpod's debug container (no shared PID namespace)"
  fi
  [ -d /proc/1/root/ ] || fail view-no-access "sshpod's debug container may not enter the target's root (/proc/1/root): the target runs as another user, which takes the SYS_PTRACE capability"
  comm=''
  read -r comm </proc/1/comm 2>/dev/null
  [ "$comm" = pause ] && fail view-shared-pid "its pod shares one process namespace among all its containers (shareProcessNamespace), where sshpod cannot tell which processes are the target's"
  # shellcheck disable=SC3013
  [ /proc/1/ns/user -ef /proc/self/ns/user ] || fail view-no-target "the target container's first process runs in a user namespace of its own, so its root is not necessarily the container's"
  # Our first process: the oldest whose root is ours (nobody else can have our root).
  holder=''
  set +f # the one glob in this script: the pids; no value of ours is expanded while it is on
  procs=$(echo /proc/[0-9]*)
  set -f
  for proc in $procs; do
    n=${proc#/proc/}
    case $n in '' | *[!0-9]*) continue ;; esac
    # shellcheck disable=SC3013
    if [ "$proc/root/" -ef / ] && { [ -z "$holder" ] || [ "$n" -lt "$holder" ]; }; then holder=$n; fi
  done
  [ -n "$holder" ] || fail view-failed "sshpod's debug container cannot find its own first process"
  if [ -L /sshpod-view ] || { [ -e /sshpod-view ] && [ ! -d /sshpod-view ]; }; then rm -f /sshpod-view; fi
  [ -d /sshpod-view ] || mkdir -m 755 /sshpod-view || fail view-failed "cannot create /sshpod-view in sshpod's debug container"
  if [ ! -O /sshpod-view ] || ! chmod 755 /sshpod-view; then fail view-failed "/sshpod-view in sshpod's debug container is not root's"; fi
  keep_link /proc/1/root /sshpod-view/root || fail view-failed "cannot link the target's root in sshpod's debug container"
  view_root=/sshpod-view/root
  there=/proc/$holder/root
  # The shell, always through /sshpod-view/sh: its name is sh (what busybox goes by), and the
  # link is absolute, so it resolves the same in our root and in the target's.
  if sh_real=$(readlink -f /bin/sh 2>/dev/null) && is_static "$sh_real"; then
    view_tools=$there/sshpod-view/bin:$there/bin
  elif sh_real=$(program_path busybox) && is_static "$sh_real"; then
    view_busybox=$sh_real
    view_tools=$there/sshpod-view/bin
  else
    fail view-no-shell "sshpod's debug container has no statically linked sh (sessions run it in the target's root, where its libraries are not)"
  fi
  case $sh_real in /* ) ;; *) fail view-no-shell "sshpod's debug container has no /bin/sh" ;; esac
  case $sh_real in *[!A-Za-z0-9/._+-]*) fail view-no-shell "sshpod's debug container's sh has an unusual path" ;; esac
  keep_link "$there$sh_real" /sshpod-view/sh || fail view-failed "cannot link the shell in sshpod's debug container"
  view_shell=$there/sshpod-view/sh
  environ_pid=1
  # Sessions start where the target's process works (its home: sshd changes there after the
  # chroot) when only root can change that directory; else at /.
  view_home=$(readlink /proc/1/cwd 2>/dev/null) || view_home=/
  case $view_home in *[!A-Za-z0-9/._-]*) view_home=/ ;; esac
  safe_in_target "$view_home" || view_home=/
  # The target's PATH (or Docker's default), without the directories another uid could write to.
  target_path=$(tr '\0' '\n' </proc/1/environ 2>/dev/null | grep -m 1 '^PATH=') && target_path=${target_path#PATH=} ||
    target_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  view_path=''
  old_ifs=$IFS
  IFS=:
  for entry in $target_path; do
    IFS=$old_ifs
    case ":$view_path:" in *":$entry:"*) continue ;; esac
    safe_in_target "$entry" && view_path="$view_path${view_path:+:}$entry"
  done
  IFS=$old_ifs
  add_fallback "root:x:0:0:root:$view_home:$view_shell"
  lookup_passwd name nobody || add_fallback "nobody:x:65534:65534:nobody:/:/bin/false"
elif [ "$uid" = 0 ]; then
  if lookup_passwd name "$login"; then
    shell_for_found_user
  elif [ "$login" = root ]; then
    add_fallback "root:x:0:0:root:/root:$sh_path"
  else
    fail unknown-user "user \"$login\" does not exist in this container" "$(usable_users)"
  fi
  # sshd's privilege-separation child runs as nobody.
  lookup_passwd name nobody || add_fallback "nobody:x:65534:65534:nobody:/:/bin/false"
elif lookup_passwd uid "$uid"; then
  [ "$login" = "$pw_name" ] || fail wrong-user "this container runs as \"$pw_name\" (uid $uid), and only that user can log in" "$pw_name"
  shell_for_found_user
else
  # The container's uid has no name: any login name maps to it.
  home=${HOME:-/}
  case $home in '' | *[!A-Za-z0-9/._-]*) home=/ ;; esac
  [ -d "$home" ] || home=/
  add_fallback "$login:x:$uid:${gid:-$uid}:sshpod:$home:$sh_path"
fi
user=$login

# --- where our files live -----------------------------------------------------------------
# <base>/sshpod/<pod-uid>/<container>/ under the first base whose whole path is safe (see the
# threat model above) and that is writable and allows running programs.
suffix="sshpod/$pod_uid/$container"
candidates="${TMPDIR:-/tmp} /tmp ${HOME:-/tmp} /var/tmp /dev/shm /run"
if [ -r /proc/self/mounts ]; then
  while read -r _ mount_point fs_type mount_options _; do
    case $fs_type in proc | sysfs | devpts | cgroup* | mqueue | securityfs | debugfs | tracefs | pstore | bpf | configfs | fusectl | hugetlbfs | autofs | binfmt_misc) continue ;; esac
    case ",$mount_options," in *,ro,* | *,noexec,*) continue ;; esac
    case $mount_point in / | /proc* | /sys* | /dev | /etc/* | *\\*) continue ;; esac
    candidates="$candidates $mount_point"
  done </proc/self/mounts
fi

# Whether the current directory is ours: reached without a symlink ($PWD is physical after
# cd -P and must be the path we asked for) and owned by us, as are its two parents in our tree.
# Nobody else can then add, rename or replace anything in it.
here_is_ours() {
  [ "$PWD" = "$base_path/$suffix" ] && [ -O . ] && [ -O .. ] && [ -O ../.. ]
}

# Enters base $1's sshpod directory for this container if one of ours is there; then $dir is its
# path (for messages) and every later name is relative to it.
enter_existing() {
  case $1 in /*) ;; *) return 1 ;; esac
  cd -P "$1" 2>/dev/null || return 1
  base_path=${PWD%/}
  [ -f "$suffix/version" ] || return 1
  cd -P "$suffix" 2>/dev/null || return 1
  here_is_ours || return 1
  dir=$PWD
  seen_bases=" $base_path "
}

# Makes (or reuses) base $1's sshpod directory for this container and enters it; $why says why not.
make_dir() {
  why=''
  case $1 in /*) ;; *) why=relative; return 1 ;; esac
  cd -P "$1" 2>/dev/null || { why=missing; return 1; }
  base_path=${PWD%/}
  # The same directory under another name (TMPDIR=/tmp, /var/run and /run) is tried once.
  case $seen_bases in *" $base_path "*) why=''; return 1 ;; esac
  seen_bases="$seen_bases $base_path "
  [ -w . ] || { why='not writable'; return 1; }
  # mkdir never follows a name that exists; a planted symlink shows in $PWD after cd -P.
  mkdir -m 711 sshpod 2>/dev/null
  if ! cd -P sshpod 2>/dev/null || [ "$PWD" != "$base_path/sshpod" ] || [ ! -O . ]; then
    why="its sshpod directory belongs to another user"
    return 1
  fi
  if ! mkdir -p "$pod_uid/$container" 2>/dev/null || ! chmod 711 . "$pod_uid" "$pod_uid/$container" 2>/dev/null; then
    why='not writable'
    return 1
  fi
  cd -P "$pod_uid/$container" || return 1
  if ! here_is_ours; then
    why='its sshpod directory belongs to another user'
    return 1
  fi
  probe=.exec-probe.$$
  ok=''
  printf '#!%s\nexit 0\n' "$sh_path" >"$probe" 2>/dev/null && chmod 700 "$probe" && "./$probe" 2>/dev/null && ok=1
  rm -f "$probe"
  [ -n "$ok" ] || { why='cannot run programs there'; return 1; }
  dir=$PWD
}

# --- the state of an install (all names relative to $dir, the current directory) -----------
sshd_alive() {
  [ -r sshd.pid ] || return 1
  read -r sshd_pid <sshd.pid || return 1
  case $sshd_pid in '' | *[!0-9]*) return 1 ;; esac
  [ -r "/proc/$sshd_pid/stat" ] || return 1
  # The pid may have been reused after sshd died: the process must still be an sshd, and ours.
  # A container whose PID 1 does not reap leaves a dead sshd as a zombie (state Z).
  read -r _ sshd_comm sshd_state _ <"/proc/$sshd_pid/stat" || return 1
  [ "$sshd_comm" = '(sshd)' ] && [ "$sshd_state" != Z ] && [ "$sshd_state" != X ] || return 1
  sshd_owner=''
  while read -r key real _; do
    [ "$key" = Uid: ] && sshd_owner=$real && break
  done <"/proc/$sshd_pid/status"
  [ "$sshd_owner" = "$uid" ]
}

key_present() {
  [ -r authorized_keys ] || return 1
  while IFS= read -r line; do [ "$line" = "$pubkey" ] && return 0; done <authorized_keys
  return 1
}

fallback_present() {
  for entry in $fallback_entries; do
    found=''
    if [ -r passwd ]; then
      while IFS= read -r line; do [ "$line" = "$entry" ] && found=1 && break; done <passwd
    fi
    [ -n "$found" ] || return 1
  done
  return 0
}

# Sets $want to the bundle version for architecture $1 (no subshell: this path forks little).
wanted_version() {
  for pair in $versions; do
    if [ "${pair%%=*}" = "$1" ]; then
      want=${pair#*=}
      return 0
    fi
  done
  return 1
}

installed_matches() {
  [ -r arch ] && [ -r version ] || return 1
  read -r arch <arch && read -r installed <version || return 1
  wanted_version "$arch" || return 1
  [ "$installed" = "$want" ] && [ -x sshd ] && [ -s ssh_host_ed25519_key ] && [ -s ssh_host_ed25519_key.pub ]
}

report_ready() {
  read -r port <port
  read -r hostkey <ssh_host_ed25519_key.pub
  reply status ready
  reply port "$port"
  reply hostkey "$hostkey"
  reply dir "$dir"
  reply user "$user"
  reply arch "$arch"
  reply end ready
  release_lock
  exit 0
}

# --- the warm path: sshd of the wanted version running, our key present -------------------
dir=''
for base in $candidates; do
  if enter_existing "$base"; then break; fi
  dir=''
done

view_bin_ready() { [ -z "$view_root" ] || [ -f /sshpod-view/bin/.complete ]; }

if [ -n "$dir" ] && installed_matches && sshd_alive && key_present && fallback_present && view_bin_ready; then
  report_ready
fi

# --- the slow path: under a lock, so that concurrent connections make exactly one sshd -----
# Set while we hold lock/ in the directory we are in (every call below is made from there).
lock_held=''
release_lock() {
  [ -n "$lock_held" ] && rm -rf lock
  lock_held=''
}

# Leaves a directory that did not work out: nothing of ours stays behind in it (rmdir removes
# only what is empty, so an install that is still there, or its running sshd's files, stay).
abandon_dir() {
  release_lock
  if [ -n "$dir" ] && [ "$PWD" = "$dir" ] && [ ! -e version ]; then
    # cd -P .. goes to the parent of the directory we are in, whatever its path became.
    cd -P .. && rmdir "$container" 2>/dev/null && cd -P .. && rmdir "$pod_uid" 2>/dev/null
  fi
  dir=''
}
trap 'abandon_dir' EXIT
trap 'exit 1' HUP INT TERM

take_lock() {
  waited=0
  until mkdir lock 2>/dev/null; do
    holder=''
    [ -r lock/pid ] && read -r holder <lock/pid
    case $holder in *[!0-9]*) holder='' ;; esac
    if [ -n "$holder" ] && [ ! -d "/proc/$holder" ]; then
      # The holder died without cleaning up; renaming first lets only one waiter remove it.
      mv lock "lock.stale.$$" 2>/dev/null && rm -rf "lock.stale.$$"
      continue
    fi
    waited=$((waited + 1))
    [ "$waited" -ge 600 ] && fail lock-timeout "another connection has been preparing this container for over a minute ($dir/lock)"
    # Tell sshpod every ten seconds that this is waiting, not hanging.
    [ $((waited % 100)) = 1 ] && {
      reply status waiting
      reply reason lock
      reply end waiting
    }
    sleep 0.1 2>/dev/null || sleep 1
  done
  lock_held=1
  echo $$ >lock/pid
}

add_key_and_users() {
  key_present || printf '%s\n' "$pubkey" >>authorized_keys || return 1
  chmod 644 authorized_keys
  for entry in $fallback_entries; do
    found=''
    if [ -r passwd ]; then
      while IFS= read -r line; do [ "$line" = "$entry" ] && found=1 && break; done <passwd
    fi
    [ -n "$found" ] || printf '%s\n' "$entry" >>passwd || return 1
  done
  [ -e passwd ] || : >passwd
  chmod 644 passwd
}

# /sshpod-view/bin: what sessions in the view run from this image — busybox's applets (when
# /bin/sh is not static and they are not on PATH through /bin), and rsync, git and scp (for
# legacy `scp -O`). Those are rarely static: a dynamic one runs through this image's own loader, told where this image's
# libraries are, so that it runs in the target's root (its files, its paths; symlinks resolve
# there as for the shell) with its code all from this image. git runs its helpers as `git
# <command>` from GIT_EXEC_PATH, hence that variable. A program the image lacks gets a stub
# that says so, which rsync and git print. Made once per container, under the lock.
write_tool() {
  name=$1
  env=''
  [ "$name" = git ] && env="GIT_EXEC_PATH=$there/sshpod-view/bin "
  if [ "$name" = git ] && [ -d /usr/share/git-core/templates ]; then env="${env}GIT_TEMPLATE_DIR=$there/usr/share/git-core/templates "; fi
  printf '#!%s\n' "$view_shell"
  if path=$(program_path "$name") && is_elf "$path"; then
    loader=$(interp_of "$path")
    if [ -z "$loader" ]; then
      printf '%sexec %s "$@"\n' "$env" "$there$path"
      return 0
    fi
    if loader=$(readlink -f "$loader" 2>/dev/null) && [ -x "$loader" ]; then
      case $loader in /*[!A-Za-z0-9/._+-]* | [!/]*) ;; *)
        libs=''
        for lib_dir in "${loader%/*}" /lib /usr/lib /lib64 /usr/lib64 /usr/local/lib; do
          lib_dir=$(readlink -f "$lib_dir" 2>/dev/null) && [ -d "$lib_dir" ] || continue
          case $lib_dir in *[!A-Za-z0-9/._+-]*) continue ;; esac
          case ":$libs:" in *":$there$lib_dir:"*) continue ;; esac
          libs="$libs${libs:+:}$there$lib_dir"
        done
        printf '%sexec %s --library-path %s %s "$@"\n' "$env" "$there$loader" "$libs" "$there$path"
        return 0
        ;;
      esac
    fi
  fi
  printf 'echo "sshpod: %s is not in the image of the ephemeral container sshpod added, from which sessions in this container without a shell take their programs" >&2\n' "$name"
  printf 'echo "hint: for pods sshpod adds it to from now on, set SSHPOD_DEBUG_IMAGE to an image with a static sh (or busybox) and %s; this pod keeps its own (see Distroless in sshpod'"'"'s README)" >&2\n' "$name"
  printf 'exit 127\n'
}

make_view_bin() {
  view_bin_ready && return 0
  rm -rf /sshpod-view/bin && mkdir -m 755 /sshpod-view/bin || return 1
  if [ -n "$view_busybox" ]; then
    for applet in $("$view_busybox" --list 2>/dev/null); do
      case $applet in '' | *[!A-Za-z0-9._+-]* | busybox) continue ;; esac
      ln -s "$there$view_busybox" "/sshpod-view/bin/$applet" || return 1
    done
  fi
  for tool in rsync git scp; do
    rm -f "/sshpod-view/bin/$tool"
    write_tool "$tool" >"/sshpod-view/bin/$tool" && chmod 755 "/sshpod-view/bin/$tool" || return 1
  done
  # What git's client runs over ssh: `git-upload-pack '/path'` and its siblings.
  for command in upload-pack receive-pack upload-archive; do
    printf '#!%s\nexec %s %s "$@"\n' "$view_shell" "$there/sshpod-view/bin/git" "$command" >"/sshpod-view/bin/git-$command" &&
      chmod 755 "/sshpod-view/bin/git-$command" || return 1
  done
  : >/sshpod-view/bin/.complete
}

last_log_line() {
  last=''
  if [ -r sshd.log ]; then
    while IFS= read -r line; do last=$line; done <sshd.log
  fi
  printf '%s' "$last"
}

start_sshd() {
  if [ "$uid" = 0 ]; then
    # sshd's privilege-separation child chroots here: root-owned, empty, not writable by others.
    mkdir -p empty && chmod 755 empty
  fi
  rm -f sshd.pid
  tried_ports=0
  for port in $ports; do
    tried_ports=$((tried_ports + 1))
    # sshd binds before it daemonises, so a taken port makes it exit non-zero here. Every path
    # goes through /proc/self/cwd: sshd resolves it in its own working directory, this one.
    # shellcheck disable=SC2094 # sshd appends to its log; nothing reads it meanwhile
    if SSHPOD_PASSWD=/proc/self/cwd/passwd SSHPOD_PRIVSEP_DIR=/proc/self/cwd/empty SSHPOD_IDLE_EXIT="$idle" \
      /proc/self/cwd/sshd -f /proc/self/cwd/sshd_config -p "$port" -E /proc/self/cwd/sshd.log </dev/null >/dev/null 2>>sshd.log 3>&-; then
      printf '%s\n' "$port" >port.new && mv -f port.new port
      # The daemon writes its pid file just after it forks; later connections look for it.
      tries=0
      until [ -s sshd.pid ] || [ "$tries" -ge 100 ]; do
        sleep 0.02 2>/dev/null || sleep 1
        tries=$((tries + 1))
      done
      return 0
    fi
  done
  case $(last_log_line) in
    *'Address already in use'*) fail ports-taken "every port sshpod tried ($tried_ports of them) is taken in this pod" ;;
  esac
  fail sshd-failed "sshd did not start: $(last_log_line)"
}

# Reads $1 lines of stdin into $lines. Reading never depends on the disk: stdin stays in step
# with what sshpod sends even when nothing can be written.
read_lines() {
  lines='' n=0
  while [ "$n" -lt "$1" ]; do
    IFS= read -r line || fail protocol "the install data ended early"
    lines="$lines$line
"
    n=$((n + 1))
  done
}

# Receives the install into *.new files and puts them in place; returns 1 (stdin still in step)
# when this directory could not take them, e.g. a full disk.
receive_install() {
  IFS= read -r header || fail protocol "sshpod closed the connection before sending sshd"
  # shellcheck disable=SC2086 # the header is space-separated words by design
  set -- $header
  if [ "$#" -ne 8 ] || [ "$1" != sshpod-install ] || [ "$2" != 2 ]; then fail protocol "unexpected install header"; fi
  key_lines=$3 config_lines=$4 payload_bytes=$5 raw_bytes=$6 format=$7 sha256=$8
  for number in "$key_lines" "$config_lines" "$payload_bytes" "$raw_bytes"; do
    case $number in '' | *[!0-9]*) fail protocol "unexpected install header" ;; esac
  done
  read_lines "$key_lines"
  key_text=$lines
  IFS= read -r host_public || fail protocol "the install data ended early"
  read_lines "$config_lines"
  config_text=$lines
  # Whatever happens to the output, exactly payload_bytes of stdin are consumed.
  if [ "$reader" = head ]; then
    head -c "$payload_bytes"
  else
    dd bs=1 count="$payload_bytes" 2>/dev/null
  fi | {
    if [ "$format" = gzip ]; then gzip -dc >sshd.new 2>/dev/null; else cat >sshd.new 2>/dev/null; fi || cat >/dev/null
  }
  transfer_problem='could not write there (is the disk full?)'
  got=$(wc -c <sshd.new 2>/dev/null) || got=0
  if [ "$((got))" != "$raw_bytes" ]; then
    rm -f sshd.new
    transfer_problem="sshd arrived incomplete ($((got)) of $raw_bytes bytes; is the disk full?)"
    return 1
  fi
  if have sha256sum; then
    # shellcheck disable=SC2046 # sha256sum prints "<hash>  <name>"
    set -- $(sha256sum sshd.new)
    if [ "${1:-}" != "$sha256" ]; then
      rm -f sshd.new
      transfer_problem='sshd arrived damaged (checksum mismatch)'
      return 1
    fi
  fi
  printf '%s' "$config_text" >sshd_config.new && chmod 600 sshd_config.new || return 1
  chmod 755 sshd.new && mv -f sshd.new sshd && mv -f sshd_config.new sshd_config || return 1
  # Other users may already trust this container's host key: keep it once there is one.
  if [ ! -s ssh_host_ed25519_key ] || [ ! -s ssh_host_ed25519_key.pub ]; then
    printf '%s' "$key_text" >ssh_host_ed25519_key.new && chmod 600 ssh_host_ed25519_key.new || return 1
    printf '%s\n' "$host_public" >ssh_host_ed25519_key.pub.new && chmod 644 ssh_host_ed25519_key.pub.new || return 1
    mv -f ssh_host_ed25519_key.new ssh_host_ed25519_key && mv -f ssh_host_ed25519_key.pub.new ssh_host_ed25519_key.pub || return 1
  fi
  # A protocol 1 install left sshpod's old shared host key here: it must not linger.
  rm -f host_ed25519_key host_ed25519_key.pub
  printf '%s\n' "$arch" >arch.new && mv -f arch.new arch || return 1
  printf '%s\n' "$want" >version.new && mv -f version.new version || return 1
}

arch=$(uname -m 2>/dev/null) || arch=''
wanted_version "$arch" || fail unsupported-arch "this container's architecture (${arch:-unknown}) has no sshd bundle"
if have gzip; then gzip=1; else gzip=0; fi
if have head; then reader='head'; elif have dd; then reader='dd'; else reader=''; fi

# Prepares the current directory ($dir) under its lock: reuses what is there, or asks sshpod for
# the install. Returns 1 when the directory could not take the files (the next base is tried).
prepare_here() {
  take_lock
  if [ -n "$view_root" ]; then make_view_bin || fail view-failed "cannot write /sshpod-view/bin in sshpod's debug container"; fi
  # Another connection may have done the work while we waited for the lock.
  if installed_matches; then
    add_key_and_users || fail disk-full "cannot add your key in $dir (is the disk full?)"
    sshd_alive || start_sshd
    report_ready
  fi
  [ -n "$reader" ] || fail no-tools "the container has neither head nor dd to receive sshd"
  # An sshd from an older bundle keeps serving its sessions; only the listener is replaced.
  if sshd_alive; then kill "$sshd_pid" 2>/dev/null; fi
  reply status need-install
  reply dir "$dir"
  reply arch "$arch"
  reply gzip "$gzip"
  if [ -n "$view_root" ]; then
    reply view-root "$view_root"
    reply view-tools "$view_tools"
    reply view-path "$view_path"
  fi
  # The environment read once into a file, so that the count and the bytes sent agree.
  environ_bytes=0
  if [ -r "/proc/$environ_pid/environ" ] && cat "/proc/$environ_pid/environ" >environ.tmp 2>/dev/null; then
    environ_bytes=$(wc -c <environ.tmp 2>/dev/null)
  fi
  reply environ-bytes "$((environ_bytes))"
  [ "$((environ_bytes))" -gt 0 ] && cat environ.tmp >&3
  rm -f environ.tmp
  receive_install || {
    rm -f sshd.new sshd_config.new ssh_host_ed25519_key.new ssh_host_ed25519_key.pub.new arch.new version.new
    return 1
  }
  add_key_and_users || fail disk-full "cannot add your key in $dir (is the disk full?)"
  start_sshd
  report_ready
}

# What was tried and why it did not work, for the message.
tried=''
if [ -n "$dir" ]; then
  transfer_problem=''
  prepare_here || {
    tried=" $dir (${transfer_problem:-could not write there})"
    abandon_dir
  }
else
  seen_bases=''
fi
for base in $candidates; do
  case $base in *[!A-Za-z0-9/._-]*) continue ;; esac
  if ! make_dir "$base"; then
    dir=''
    [ -n "$why" ] && tried="$tried $base ($why)"
    continue
  fi
  transfer_problem=''
  prepare_here || {
    tried="$tried $base (${transfer_problem:-could not write there})"
    abandon_dir
  }
done
fail no-writable-dir "no directory in this container is both writable and allows running programs (tried:$tried)"
