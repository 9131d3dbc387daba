# sshpod completion for zsh, printed by `sshpod completion zsh`. Load it after compinit, e.g. in
# ~/.zshrc:   source <(sshpod completion zsh)
#
# Completes sshpod hostnames (after user@, and the host: part of scp and rsync) for ssh, scp,
# sftp and rsync, and pods, workloads, namespaces and contexts for `kubectl ssh`, from the
# cluster. Every other word goes to the completion these commands had before (zsh's _ssh,
# _rsync, kubectl's own), which this wraps. Errors never reach the prompt.

(( $+functions[compdef] )) || { autoload -Uz compinit && compinit -i }

typeset -ga _sshpod_program
_sshpod_program=(@SSHPOD_PROGRAM@)
typeset -gA _sshpod_previous
typeset -ga _sshpod_offered_keys _sshpod_all_keys
_sshpod_offered_keys=(pod deployment statefulset daemonset job container namespace context template)
_sshpod_all_keys=(pod po deployment deploy statefulset sts daemonset ds replicaset rs job container namespace ns context template)

# _sshpod_query MODE ARG: sshpod's candidates, one per line (= finished, + goes on, ?files).
_sshpod_query() {
  "${_sshpod_program[@]}" __complete "$@" 2>/dev/null </dev/null
}

_sshpod_fallback() {
  local previous=${_sshpod_previous[${words[1]:t}]}
  [[ -n $previous ]] && $previous "$@"
}

# Completion of ssh, scp, sftp and rsync.
_sshpod_complete_host() {
  local cmd=${words[1]:t} prev=${words[CURRENT-1]} word=$PREFIX
  if [[ -z $word || $word == -* || $word == *[:/]* || $prev == -[BbcDEeFIiJLlmOoPpQRSWw] ]]; then
    _sshpod_fallback "$@"
    return
  fi
  local host=${word##*@} suffix=' ' line
  [[ $cmd == (scp|rsync) ]] && suffix=':'
  local first=${host%%.*}
  local -a finals partials
  if [[ $first == *--* && ${_sshpod_all_keys[(Ie)${first%%--*}]} -gt 0 ]]; then
    for line in "${(@f)$(_sshpod_query host $host)}"; do
      case $line in
        ('='*) finals+=("${line:1}") ;;
        ('+'*) partials+=("${line:1}") ;;
      esac
    done
    [[ $word == *@* ]] && compset -P '*@'
    (( $#finals )) && compadd -Q -S "$suffix" -- $finals
    (( $#partials )) && compadd -Q -S '' -- $partials
    (( $#finals + $#partials ))
    return
  fi
  # A word that may still become either: the command's own candidates, and the keys.
  _sshpod_fallback "$@"
  local ret=$?
  if [[ -n $host && $host != *.* ]]; then
    [[ $word == *@* ]] && compset -P '*@'
    compadd -Q -S '' -- ${^_sshpod_offered_keys}-- && ret=0
  fi
  return ret
}

# Completion of kubectl: `kubectl ssh …` here, anything else as before.
_sshpod_complete_kubectl() {
  if [[ ${words[2]} != ssh ]] || (( CURRENT < 3 )); then
    _sshpod_fallback "$@"
    return
  fi
  local line files=''
  local -a finals partials
  for line in "${(@f)$(_sshpod_query kubectl $LBUFFER)}"; do
    case $line in
      ('?files') files=1 ;;
      ('='*) finals+=("${line:1}") ;;
      ('+'*) partials+=("${line:1}") ;;
    esac
  done
  local ret=1
  (( $#finals )) && compadd -Q -- $finals && ret=0
  (( $#partials )) && compadd -Q -S '' -- $partials && ret=0
  [[ -n $files ]] && _files && ret=0
  return ret
}

# Keeps what completed each command before, then completes it here.
_sshpod_wrap() {
  local cmd=$1 wrapper=$2 previous=${_comps[$1]}
  [[ $previous == _sshpod_* ]] && return # loaded twice
  [[ -n $previous ]] && _sshpod_previous[$cmd]=$previous
  compdef $wrapper $cmd
}

_sshpod_wrap ssh _sshpod_complete_host
_sshpod_wrap scp _sshpod_complete_host
_sshpod_wrap sftp _sshpod_complete_host
_sshpod_wrap rsync _sshpod_complete_host
_sshpod_wrap kubectl _sshpod_complete_kubectl
