# SPDX-License-Identifier: MIT
# bash completion for linode-token and git-credential-linode (needs bash-completion's library)

_linode_token_services="account child_account databases domains events firewall images ips linodes lke longview monitor nodebalancers object_storage stackscripts volumes vpc"

# Run linode-token with the global options already typed (--config, --api-url, ...): it must find
# the same config and parent as the command being completed. Never reads the terminal, never waits
# long (no parent: it fails at once; a slow API: --timeout and timeout(1) cut it short).
_linode_token_run()
{
    local -a g=()
    local i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --config | --api-url | --parent-token-file) g+=("${words[i]}" "${words[i + 1]}"); ((i++)) ;;
        --allow-insecure-loopback) g+=("${words[i]}") ;;
        esac
    done
    timeout 3 "${words[0]}" "${g[@]}" --timeout 2s "$@" </dev/null 2>/dev/null
}

# COMPREPLY from newline-separated candidates (labels may hold spaces), quoted for the shell.
_linode_token_reply()
{
    local line
    local -a found=()
    while IFS= read -r line; do
        [[ -n $line && $line == "$cur"* ]] && found+=("$(printf '%q' "$line")")
    done
    COMPREPLY=("${found[@]}")
}

# A comma-separated list (--scopes a,b; --format id,label): complete the word after the last comma.
_linode_token_list()
{
    local pre="" word=$cur c
    if [[ $cur == *,* ]]; then pre=${cur%,*},; word=${cur##*,}; fi
    COMPREPLY=($(for c in $1; do [[ $c == "$word"* ]] && printf '%s\n' "$pre$c"; done))
    compopt -o nospace 2>/dev/null
}

_linode_token()
{
    local cur prev words cword
    _init_completion || return
    local commands="list view create rename revoke get env exec end-session reap audit login logout status setup-git profiles rotate help"
    local global="--config --api-url --allow-insecure-loopback --parent-token-file --timeout --debug --help"
    local cmd="" i at=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --config | --api-url | --parent-token-file | --timeout) ((i++)) ;;
        -*) ;;
        *) cmd=${words[i]}; at=$i; break ;;
        esac
    done
    if [[ $cmd == exec ]]; then # after --, the command and its own completion
        for ((i = at + 1; i < cword; i++)); do
            if [[ ${words[i]} == -- ]]; then
                _command_offset $((i + 1))
                return
            fi
        done
    fi
    case $prev in
    --config | --parent-token-file) _filedir; return ;;
    --state-dir | --queue-dir) _filedir -d; return ;;
    --pam-config) _filedir; return ;;
    --api-url | --timeout | --ttl | --min-remaining | --label | --session | --since | --expiry | --env | \
        --max-parallel | --delimiter) return ;;
    --profile)
        _linode_token_reply < <(_linode_token_run profiles --text --no-headers --format profile)
        return ;;
    --scope)
        local s
        COMPREPLY=($(for s in $_linode_token_services; do compgen -W "$s=none $s=ro $s=rw" -- "$cur"; done))
        return ;;
    --scopes)
        local s all=""
        for s in $_linode_token_services; do all="$all $s:ro $s:rw"; done
        _linode_token_list "$all"
        return ;;
    --format)
        case $cmd in
        env) COMPREPLY=($(compgen -W "sh fish json dotenv" -- "$cur")) ;;
        list) _linode_token_list "id label created expiry scopes token" ;;
        audit) _linode_token_list "time action id outcome session label detail" ;;
        profiles) _linode_token_list "profile scopes ttl max_ttl min_remaining api_url cached" ;;
        esac
        return ;;
    esac
    if [[ -z $cmd || $cmd == help && $cword -eq $((at + 1)) ]]; then
        COMPREPLY=($(compgen -W "$commands $( [[ -z $cmd ]] && echo "$global --version")" -- "$cur"))
        return
    fi
    local table="--text --no-headers --format --delimiter --all-columns"
    local opts="$global"
    case $cmd in
    list) opts="$opts --json $table" ;;
    view) opts="$opts --json" ;;
    create) opts="$opts --label --expiry --scope --scopes --json" ;;
    rename) opts="$opts --json" ;;
    revoke) opts="$opts --yes --ignore-missing --including-parent --json" ;;
    get) opts="$opts --profile --scopes --ttl --min-remaining --session --json" ;;
    env) opts="$opts --profile --scopes --ttl --min-remaining --session --format --fish" ;;
    exec) opts="$opts --profile --scopes --ttl --env --nested --" ;;
    end-session) opts="$opts --session --all --max-parallel --json" ;;
    reap) opts="$opts --dry-run --system --pam-config --state-dir --queue-dir --max-parallel --json" ;;
    audit) opts="$opts --since --session --json $table" ;;
    profiles) opts="$opts --session --json $table" ;;
    rotate) opts="$opts --expiry --end-sessions --json" ;;
    status | login) opts="$opts --json" ;;
    logout) opts="$opts --json --keep-tokens" ;;
    setup-git) opts="$opts --unset --json" ;;
    esac
    if [[ $cur != -* ]]; then
        case $cmd in
        view | rename | revoke) # ids and labels, from the API (only when a parent answers)
            _linode_token_reply < <(_linode_token_run list --text --no-headers --format id,label |
                while IFS=$'\t' read -r id label; do printf '%s\n%s\n' "$id" "$label"; done)
            return ;;
        esac
    fi
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _linode_token linode-token
complete -W "get store erase --profile --config --session --version --help" git-credential-linode
