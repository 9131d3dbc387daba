# sshpod's safeguard for the pods it makes on demand: the command of the container sshpod connects
# to. It ends the container — so that the pod completes — once no ssh or terminal session has
# existed for a while, whatever happened to the client that made the pod (SIGKILL, a closed laptop, a lost
# network): sshpod deletes the pod itself when a connection ends; this is for when it could not.
#
#   sh -c <this> sshpod-watchdog SECONDS [COMMAND [ARG]...]
#
# SECONDS: how long without any session before it ends (counted from the start too, so that a
# pod nobody ever reached ends as well). COMMAND: the template's own command, run in the
# background and ended with the container; without one the container only hosts ssh sessions.
#
# A session is either
#  - an sshd process whose parent is an sshd: the listener (whose parent is PID 1) forks one
#    process per connection, and the login's processes hang below those;
#  - a terminal the exec API started (`sshpod web`, `kubectl exec -it`): a process with a
#    controlling terminal whose parent is outside the container (PPid 0 — the runtime joined the
#    PID namespace from outside to start it), other than PID 1 and this script. No process of the
#    container can make one: its children, orphans included, always have a parent inside. So a
#    page of `sshpod web` that uses the pod (no sshd at all) keeps it, as an ssh session does.
# It reads /proc only (no fork per look), every two seconds. Anything the pod's own users run can
# keep the pod alive by imitating an sshd pair — in a pod the person made for themselves, which
# sshpod still deletes when the connection or page ends; it can never make the pod end early.
# (With shareProcessNamespace, another container started with `tty: true` counts as a terminal.)

set -u
idle=$1
shift
case $idle in '' | *[!0-9]*) echo "sshpod-watchdog: invalid idle time" >&2; exit 2 ;; esac

child=''
if [ "$#" -gt 0 ]; then
  "$@" &
  child=$!
fi

finish() {
  [ -n "$child" ] && kill "$child" 2>/dev/null
  exit "${1:-0}"
}
# Deleting the pod sends SIGTERM: end at once rather than after the grace period.
trap 'finish 0' TERM INT HUP

uptime_seconds() {
  read -r up _ </proc/uptime
  now=${up%%.*}
}

session_exists() {
  for stat in /proc/[0-9]*/stat; do
    # pid (comm) state ppid pgrp session tty_nr ...; a process that ends meanwhile is skipped.
    read -r pid comm state ppid _ _ tty _ 2>/dev/null <"$stat" || continue
    case $state in Z | X) continue ;; esac
    if [ "$comm" = '(sshd)' ]; then
      read -r _ parent_comm _ 2>/dev/null <"/proc/$ppid/stat" || continue
      [ "$parent_comm" = '(sshd)' ] && return 0
    elif [ "$ppid" = 0 ] && [ "$tty" != 0 ] && [ "$pid" != 1 ] && [ "$pid" != "$$" ]; then
      return 0
    fi
  done
  return 1
}

uptime_seconds
last_session=$now
while :; do
  uptime_seconds
  if session_exists; then last_session=$now; fi
  if [ $((now - last_session)) -ge "$idle" ]; then
    echo "sshpod-watchdog: no ssh or terminal session for ${idle}s: ending this pod"
    finish 0
  fi
  if [ -n "$child" ] && ! kill -0 "$child" 2>/dev/null; then
    status=0
    wait "$child" || status=$?
    echo "sshpod-watchdog: the container's command ended (status $status)"
    exit "$status"
  fi
  # In the background, so that a signal is handled at once rather than after the sleep.
  sleep 2 &
  wait $! 2>/dev/null
done
