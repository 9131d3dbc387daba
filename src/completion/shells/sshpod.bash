# shellcheck shell=bash
# sshpod completion for bash, printed by `sshpod completion bash`. Load it after bash-completion,
# e.g. in ~/.bashrc:   source <(sshpod completion bash)
#
# Completes sshpod hostnames (after user@, and the host: part of scp and rsync) for ssh, scp,
# sftp and rsync, and pods, workloads, namespaces and contexts for `kubectl ssh`, from the
# cluster. Every other word goes to the completion these commands had before (bash-completion's
# _ssh, _scp, _sftp, _rsync, kubectl's own), which this wraps. Errors never reach the prompt.

_sshpod_program=(@SSHPOD_PROGRAM@)
declare -gA _sshpod_previous

# What an sshpod hostname's first segment starts with, and every key the grammar reads.
_sshpod_offered_keys=(pod deployment statefulset daemonset job container namespace context template)
_sshpod_all_keys=" pod po deployment deploy statefulset sts daemonset ds replicaset rs job container namespace ns context template "

# _sshpod_query MODE ARG: sshpod's candidates, one per line (= finished, + goes on, ?files).
_sshpod_query() {
  "${_sshpod_program[@]}" __complete "$@" 2>/dev/null </dev/null
}

# The word before the cursor as typed: COMP_WORDS splits at COMP_WORDBREAKS (: and = among them).
_sshpod_whole_word() {
  local line=${COMP_LINE:0:COMP_POINT}
  printf '%s' "${line##*[[:space:]]}"
}

# _sshpod_reply WHOLE CANDIDATE: adds CANDIDATE, cut to the part bash replaces (its current word
# starts after the last word-break character of WHOLE).
_sshpod_reply() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local skip=$((${#1} - ${#cur}))
  ((skip < 0)) && skip=0
  COMPREPLY+=("${2:skip}")
}

# _sshpod_fallback COMMAND WORD PREVIOUS: the completion the command had before this script.
_sshpod_fallback() {
  local previous=${_sshpod_previous[${1##*/}]}
  [[ -n $previous ]] && "$previous" "$@"
}

# Completion of ssh, scp, sftp and rsync.
_sshpod_complete_host() {
  local cmd=${1##*/} prev=${COMP_WORDS[COMP_CWORD - 1]} whole
  whole=$(_sshpod_whole_word)
  COMPREPLY=()
  # Options, their arguments, paths and remote paths (host:path) are not hostnames.
  if [[ -z $whole || $whole == -* || $whole == *[:/]* || $prev == -[BbcDEeFIiJLlmOoPpQRSWw] ]]; then
    _sshpod_fallback "$@"
    return
  fi
  local login='' host=$whole
  if [[ $whole == *@* ]]; then
    login=${whole%@*}@
    host=${whole##*@}
  fi
  local first=${host%%.*} suffix='' nospace='' line key
  [[ $cmd == scp || $cmd == rsync ]] && suffix=:
  if [[ $first == *--* && $_sshpod_all_keys == *" ${first%%--*} "* ]]; then
    while IFS= read -r line; do
      case $line in
      =*) _sshpod_reply "$whole" "$login${line:1}$suffix" ;;
      +*)
        _sshpod_reply "$whole" "$login${line:1}"
        nospace=1
        ;;
      esac
    done < <(_sshpod_query host "$host")
  else
    # A word that may still become either: the command's own candidates, and the keys.
    _sshpod_fallback "$@"
    if [[ -n $host && $host != *.* ]]; then
      for key in "${_sshpod_offered_keys[@]}"; do
        if [[ $key-- == "$host"* ]]; then
          _sshpod_reply "$whole" "$login$key--"
          nospace=1
        fi
      done
    fi
  fi
  if [[ -n $nospace || -n $suffix ]] && ((${#COMPREPLY[@]} > 0)); then
    compopt -o nospace 2>/dev/null
  fi
  return 0
}

# Completion of kubectl: `kubectl ssh …` here, anything else as before.
_sshpod_complete_kubectl() {
  if [[ ${COMP_WORDS[1]} != ssh ]] || ((COMP_CWORD < 2)); then
    _sshpod_fallback "$@"
    return
  fi
  local whole line files='' nospace='' cur=${COMP_WORDS[COMP_CWORD]}
  whole=$(_sshpod_whole_word)
  COMPREPLY=()
  while IFS= read -r line; do
    case $line in
    '?files') files=1 ;;
    =*) _sshpod_reply "$whole" "${line:1}" ;;
    +*)
      _sshpod_reply "$whole" "${line:1}"
      nospace=1
      ;;
    esac
  done < <(_sshpod_query kubectl "${COMP_LINE:0:COMP_POINT}")
  if [[ -n $files ]]; then
    compopt -o filenames 2>/dev/null
    local file
    while IFS= read -r file; do COMPREPLY+=("$file"); done < <(compgen -f -- "$cur")
  fi
  [[ -n $nospace ]] && compopt -o nospace 2>/dev/null
  return 0
}

# _sshpod_wrap COMMAND FUNCTION: completes COMMAND with FUNCTION, keeping its previous completion
# (loaded first if bash-completion loads it on demand) as the fallback, with its options.
_sshpod_wrap() {
  local cmd=$1 wrapper=$2 spec
  spec=$(complete -p -- "$cmd" 2>/dev/null)
  if [[ -z $spec ]] && declare -F _completion_loader >/dev/null 2>&1; then
    _completion_loader "$cmd" >/dev/null 2>&1
    spec=$(complete -p -- "$cmd" 2>/dev/null)
  fi
  [[ $spec == *" -F _sshpod_"* ]] && return # loaded twice
  if [[ $spec =~ " -F "([^ ]+)" " ]]; then
    _sshpod_previous[$cmd]=${BASH_REMATCH[1]}
    eval "${spec/ -F ${BASH_REMATCH[1]} / -F $wrapper }"
  else
    complete -o bashdefault -o default -F "$wrapper" -- "$cmd"
  fi
}

_sshpod_wrap ssh _sshpod_complete_host
_sshpod_wrap scp _sshpod_complete_host
_sshpod_wrap sftp _sshpod_complete_host
_sshpod_wrap rsync _sshpod_complete_host
_sshpod_wrap kubectl _sshpod_complete_kubectl
