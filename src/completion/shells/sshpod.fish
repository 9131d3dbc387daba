# sshpod completion for fish, printed by `sshpod completion fish`. Load it e.g. in
# ~/.config/fish/config.fish:   sshpod completion fish | source
#
# Completes sshpod hostnames (after user@, and the host: part of scp and rsync) for ssh, scp,
# sftp and rsync, and pods, workloads, namespaces and contexts for `kubectl ssh`, from the
# cluster. fish adds these to the completions the commands already have. Errors never reach
# the prompt.

set -g __sshpod_program @SSHPOD_PROGRAM@

# __sshpod_query MODE ARG: sshpod's candidates, one per line (= finished, + goes on, ?files).
function __sshpod_query
    $__sshpod_program __complete $argv 2>/dev/null </dev/null
end

# Hostname candidates for the word under the cursor of ssh, scp, sftp and rsync.
function __sshpod_hosts
    set -l words (commandline -opc)
    set -l token (commandline -ct)
    set -l prev $words[-1]
    if test -z "$token"; or string match -q -- '-*' $token; or string match -q -r -- '[:/]' $token
        return
    end
    string match -q -r -- '^-[BbcDEeFIiJLlmOoPpQRSWw]$' $prev; and return
    set -l login ''
    set -l host $token
    if string match -q -- '*@*' $token
        set login (string replace -r -- '[^@]*$' '' $token)
        set host (string replace -r -- '^.*@' '' $token)
    end
    set -l suffix ''
    contains -- (path basename -- $words[1]) scp rsync; and set suffix ':'
    set -l first (string split -m 1 . -- $host)[1]
    if string match -q -r -- '^(pod|po|deployment|deploy|statefulset|sts|daemonset|ds|replicaset|rs|job|container|namespace|ns|context|template)--' $first
        for line in (__sshpod_query host $host)
            switch $line
                case '=*'
                    echo $login(string sub -s 2 -- $line)$suffix
                case '+*'
                    echo $login(string sub -s 2 -- $line)
            end
        end
    else if not string match -q -- '*.*' $host
        for key in pod deployment statefulset daemonset job container namespace context template
            echo $login$key--
        end
    end
end

function __sshpod_kubectl_ssh
    set -l words (commandline -opc)
    test (count $words) -ge 2; and test $words[2] = ssh
end

# Candidates for the word under the cursor of `kubectl ssh …`.
function __sshpod_kubectl
    for line in (__sshpod_query kubectl (commandline -cp))
        switch $line
            case '?files'
                __fish_complete_path (commandline -ct)
            case '=*' '+*'
                string sub -s 2 -- $line
        end
    end
end

for command in ssh scp sftp rsync
    complete -c $command -a '(__sshpod_hosts)'
end
complete -c kubectl -n __sshpod_kubectl_ssh -f -a '(__sshpod_kubectl)'
