# sshpod's remote side (protocol 1). Runs as `sh -c <this> sshpod ARGS...` through the exec API,
# once per connection. Everything it needs arrives as positional parameters (never spliced into
# this text, so no value is ever parsed as shell code) and, on the cold path only, on stdin.
#
#   $1 protocol (1)        $2 pod uid        $3 container        $4 ssh login name
#   $5 bundle versions by `uname -m`: "x86_64=V amd64=V aarch64=W arm64=W"
#   $6 the client's public key line   $7 candidate ports: "41234 52311 ..."
#
# Replies go to stdout as `key=value` lines (sshpod parses them; nothing else is written there):
#   status=ready         port=, hostkey=, dir=, user=, arch=, end=ready   sshd runs; connect to port
#   status=need-install  dir=, arch=, gzip=0|1, then environ-bytes=N and N raw bytes of the
#                        exec's environment; the script then reads the install from stdin:
#                          sshpod-install 1 <key-lines> <config-lines> <payload-bytes> <raw-bytes> <gzip|raw>
#                          <key-lines> lines of the private host key, one line of its public key,
#                          <config-lines> lines of sshd_config, then <payload-bytes> of sshd.
#                        and answers status=ready (or status=error) as above.
#   status=error         error=<code>, message=<one line>, users=<names> for user errors, end=error
#
# The exec API may be unable to half-close stdin (protocol v4), so nothing here waits for EOF:
# every read is of a known number of lines or bytes.
#
# The warm path (sshd of the wanted version running, key present) forks nothing: builtins only,
# because each fork+exec costs milliseconds — tens of them under qemu emulation.

set -u
set -f
umask 077
# Replies go to fd 3; anything else a command prints lands on stderr, never in the reply stream.
exec 3>&1 1>&2

proto=$1 pod_uid=$2 container=$3 login=$4 versions=$5 pubkey=$6 ports=$7

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

[ "$proto" = 1 ] || fail protocol "this container was prepared by a different sshpod protocol ($proto)"
case $pod_uid in '' | *[!0-9a-zA-Z-]*) fail bad-argument "invalid pod uid" ;; esac
case $container in '' | *[!0-9a-z-]*) fail bad-argument "invalid container name" ;; esac
case $login in '' | -* | *[!A-Za-z0-9._-]*) fail bad-user "invalid user name" ;; esac
case $pubkey in 'ssh-ed25519 '*) ;; *) fail bad-argument "invalid public key" ;; esac
case $ports in '' | *[!0-9\ ]*) fail bad-argument "invalid port list" ;; esac

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

if [ "$uid" = 0 ]; then
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
# <base>/sshpod/<pod-uid>/<container>/: the first base that is writable and allows exec.
# A directory we did not create (owned by someone else, or a symlink) is never used.
suffix="sshpod/$pod_uid/$container"
candidates="${TMPDIR:-/tmp} /tmp ${HOME:-/tmp} /var/tmp /dev/shm"
if [ -r /proc/self/mounts ]; then
  while read -r _ mount_point fs_type mount_options _; do
    case $fs_type in proc | sysfs | devpts | cgroup* | mqueue | securityfs | debugfs | tracefs | pstore | bpf | configfs | fusectl | hugetlbfs | autofs | binfmt_misc) continue ;; esac
    case ",$mount_options," in *,ro,* | *,noexec,*) continue ;; esac
    case $mount_point in / | /proc* | /sys* | /dev | /etc/* | *\\*) continue ;; esac
    candidates="$candidates $mount_point"
  done </proc/self/mounts
fi

owned_dir() { [ -d "$1" ] && [ ! -L "$1" ] && [ -O "$1" ]; }

dir=''
for base in $candidates; do
  if owned_dir "$base/$suffix" && [ -f "$base/$suffix/version" ]; then
    dir="$base/$suffix"
    break
  fi
done

# --- the warm path: sshd of the wanted version running, our key present -------------------
sshd_alive() {
  [ -r "$dir/sshd.pid" ] || return 1
  read -r sshd_pid <"$dir/sshd.pid" || return 1
  [ -r "/proc/$sshd_pid/stat" ] || return 1
  # The pid may have been reused after sshd died: the process must still be an sshd. A container
  # whose PID 1 does not reap leaves a dead sshd as a zombie (state Z), which serves nothing.
  read -r _ sshd_comm sshd_state _ <"/proc/$sshd_pid/stat" || return 1
  [ "$sshd_comm" = '(sshd)' ] && [ "$sshd_state" != Z ] && [ "$sshd_state" != X ]
}

key_present() {
  [ -r "$dir/authorized_keys" ] || return 1
  while IFS= read -r line; do [ "$line" = "$pubkey" ] && return 0; done <"$dir/authorized_keys"
  return 1
}

fallback_present() {
  for entry in $fallback_entries; do
    found=''
    if [ -r "$dir/passwd" ]; then
      while IFS= read -r line; do [ "$line" = "$entry" ] && found=1 && break; done <"$dir/passwd"
    fi
    [ -n "$found" ] || return 1
  done
  return 0
}

# Sets $want to the bundle version for architecture $1 (no subshell: the warm path forks nothing).
wanted_version() {
  for pair in $versions; do
    if [ "${pair%%=*}" = "$1" ]; then
      want=${pair#*=}
      return 0
    fi
  done
  return 1
}

report_ready() {
  read -r port <"$dir/port"
  read -r hostkey <"$dir/host_ed25519_key.pub"
  reply status ready
  reply port "$port"
  reply hostkey "$hostkey"
  reply dir "$dir"
  reply user "$user"
  reply arch "$arch"
  reply end ready
  exit 0
}

installed_matches() {
  [ -r "$dir/arch" ] && [ -r "$dir/version" ] || return 1
  read -r arch <"$dir/arch" && read -r installed <"$dir/version" || return 1
  wanted_version "$arch" || return 1
  [ "$installed" = "$want" ] && [ -x "$dir/sshd" ] && [ -s "$dir/host_ed25519_key" ]
}

if [ -n "$dir" ] && installed_matches && sshd_alive && key_present && fallback_present; then
  report_ready
fi

# --- the slow path: under a lock, so that concurrent connections make exactly one sshd -----
if [ -z "$dir" ]; then
  tried=''
  for base in $candidates; do
    case " $tried " in *" $base "*) continue ;; esac
    tried="$tried $base"
    if [ ! -d "$base" ] || [ ! -w "$base" ]; then continue; fi
    mkdir -p "$base/$suffix" 2>/dev/null || continue
    ok=1
    for part in "$base/sshpod" "$base/sshpod/$pod_uid" "$base/$suffix"; do
      # 0711: the login user (not the owner when root serves another user) must reach
      # authorized_keys; nothing in these directories can be listed.
      if ! owned_dir "$part" || ! chmod 711 "$part" 2>/dev/null; then
        ok=''
        break
      fi
    done
    [ -n "$ok" ] || continue
    probe="$base/$suffix/.exec-probe.$$"
    printf '#!%s\nexit 0\n' "$sh_path" >"$probe" && chmod 700 "$probe" && "$probe" 2>/dev/null && ok=2
    rm -f "$probe"
    [ "$ok" = 2 ] || continue
    dir="$base/$suffix"
    break
  done
  [ -n "$dir" ] || fail no-writable-dir "no directory in this container is both writable and allows running programs (tried:$tried)"
fi

lock="$dir/lock"
waited=0
until mkdir "$lock" 2>/dev/null; do
  holder=''
  [ -r "$lock/pid" ] && read -r holder <"$lock/pid"
  if [ -n "$holder" ] && [ ! -d "/proc/$holder" ]; then
    # The holder died without cleaning up; renaming first lets only one waiter remove it.
    mv "$lock" "$lock.stale.$$" 2>/dev/null && rm -rf "$lock.stale.$$"
    continue
  fi
  waited=$((waited + 1))
  [ "$waited" -ge 600 ] && fail lock-timeout "another connection has been preparing this container for over a minute ($lock)"
  sleep 0.1 2>/dev/null || sleep 1
done
trap 'rm -rf "$lock"' EXIT
trap 'exit 1' HUP INT TERM
echo $$ >"$lock/pid"

add_key_and_users() {
  key_present || printf '%s\n' "$pubkey" >>"$dir/authorized_keys"
  chmod 644 "$dir/authorized_keys"
  for entry in $fallback_entries; do
    found=''
    if [ -r "$dir/passwd" ]; then
      while IFS= read -r line; do [ "$line" = "$entry" ] && found=1 && break; done <"$dir/passwd"
    fi
    [ -n "$found" ] || printf '%s\n' "$entry" >>"$dir/passwd"
  done
  [ -e "$dir/passwd" ] || : >"$dir/passwd"
  chmod 644 "$dir/passwd"
}

last_log_line() {
  last=''
  if [ -r "$dir/sshd.log" ]; then
    while IFS= read -r line; do last=$line; done <"$dir/sshd.log"
  fi
  printf '%s' "$last"
}

start_sshd() {
  if [ "$uid" = 0 ]; then
    # sshd's privilege-separation child chroots here: root-owned, empty, not writable by others.
    mkdir -p "$dir/empty" && chmod 755 "$dir/empty"
  fi
  rm -f "$dir/sshd.pid"
  for port in $ports; do
    # sshd binds before it daemonises, so a taken port makes it exit non-zero here.
    # shellcheck disable=SC2094 # sshd appends to its log; nothing reads it meanwhile
    if SSHPOD_PASSWD="$dir/passwd" SSHPOD_PRIVSEP_DIR="$dir/empty" \
      "$dir/sshd" -f "$dir/sshd_config" -p "$port" -E "$dir/sshd.log" </dev/null >/dev/null 2>>"$dir/sshd.log" 3>&-; then
      printf '%s\n' "$port" >"$dir/port.new" && mv -f "$dir/port.new" "$dir/port"
      # The daemon writes its pid file just after it forks; later connections look for it.
      tries=0
      until [ -s "$dir/sshd.pid" ] || [ "$tries" -ge 100 ]; do
        sleep 0.02 2>/dev/null || sleep 1
        tries=$((tries + 1))
      done
      return 0
    fi
  done
  fail sshd-failed "sshd did not start: $(last_log_line)"
}

# Another connection may have done the work while we waited for the lock.
if installed_matches; then
  add_key_and_users
  sshd_alive || start_sshd
  report_ready
fi

# An sshd from an older bundle keeps serving its sessions; only the listener is replaced.
if sshd_alive; then kill "$sshd_pid" 2>/dev/null; fi

arch=$(uname -m 2>/dev/null) || arch=''
wanted_version "$arch" || fail unsupported-arch "this container's architecture (${arch:-unknown}) has no sshd bundle"
if have gzip; then gzip=1; else gzip=0; fi
if have head; then reader='head'; elif have dd; then reader='dd'; else fail no-tools "the container has neither head nor dd to receive sshd"; fi

reply status need-install
reply dir "$dir"
reply arch "$arch"
reply gzip "$gzip"
if [ -r "/proc/$$/environ" ]; then
  cat "/proc/$$/environ" >"$dir/environ.tmp" 2>/dev/null || : >"$dir/environ.tmp"
else
  : >"$dir/environ.tmp"
fi
environ_bytes=$(wc -c <"$dir/environ.tmp")
reply environ-bytes "$((environ_bytes))"
cat "$dir/environ.tmp" >&3
rm -f "$dir/environ.tmp"

IFS= read -r header || fail protocol "sshpod closed the connection before sending sshd"
# shellcheck disable=SC2086 # the header is space-separated words by design
set -- $header
if [ "$#" -ne 7 ] || [ "$1" != sshpod-install ] || [ "$2" != 1 ]; then fail protocol "unexpected install header"; fi
key_lines=$3 config_lines=$4 payload_bytes=$5 raw_bytes=$6 format=$7

read_lines() {
  n=0
  while [ "$n" -lt "$1" ]; do
    IFS= read -r line || fail protocol "the install data ended early"
    printf '%s\n' "$line"
    n=$((n + 1))
  done
}

read_lines "$key_lines" >"$dir/host_ed25519_key.new"
IFS= read -r host_public || fail protocol "the install data ended early"
read_lines "$config_lines" >"$dir/sshd_config.new"

if [ "$reader" = head ]; then
  receive() { head -c "$payload_bytes"; }
else
  receive() { dd bs=1 count="$payload_bytes" 2>/dev/null; }
fi
if [ "$format" = gzip ]; then
  receive | gzip -dc >"$dir/sshd.new" 2>/dev/null
else
  receive >"$dir/sshd.new"
fi
got=$(wc -c <"$dir/sshd.new")
[ "$((got))" = "$raw_bytes" ] || {
  rm -f "$dir/sshd.new"
  fail transfer "sshd arrived incomplete ($got of $raw_bytes bytes)"
}

chmod 755 "$dir/sshd.new" && mv -f "$dir/sshd.new" "$dir/sshd"
chmod 600 "$dir/sshd_config.new" && mv -f "$dir/sshd_config.new" "$dir/sshd_config"
# Other users may already trust this container's host key: keep it once there is one.
if [ -s "$dir/host_ed25519_key" ]; then
  rm -f "$dir/host_ed25519_key.new"
else
  chmod 600 "$dir/host_ed25519_key.new" && mv -f "$dir/host_ed25519_key.new" "$dir/host_ed25519_key"
  printf '%s\n' "$host_public" >"$dir/host_ed25519_key.pub" && chmod 644 "$dir/host_ed25519_key.pub"
fi
printf '%s\n' "$arch" >"$dir/arch"
printf '%s\n' "$want" >"$dir/version"
add_key_and_users
start_sshd
report_ready
