# SPDX-License-Identifier: MIT
# bash completion for linode-token and git-credential-linode
_linode_token()
{
    local cur prev words cword
    _init_completion || return
    local commands="list view create rename revoke get env exec end-session reap audit login logout status setup-git"
    local global="--config --api-url --allow-insecure-loopback --parent-token-file --timeout --debug --help --version"
    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --config | --api-url | --parent-token-file | --timeout) ((i++)) ;;
        -*) ;;
        *) cmd=${words[i]}; break ;;
        esac
    done
    case $prev in
    --config | --parent-token-file) _filedir; return ;;
    --api-url | --timeout | --ttl | --min-remaining | --label | --session | --since | --expiry | --env) return ;;
    --profile)
        local cfg=${XDG_CONFIG_HOME:-$HOME/.config}/linode-token/config
        [[ -r $cfg ]] && COMPREPLY=($(compgen -W "$(sed -n 's/^\[profile \(.*\)\]$/\1/p' "$cfg")" -- "$cur"))
        return ;;
    --scope)
        local s svc="account child_account databases domains events firewall images ips linodes lke longview monitor nodebalancers object_storage stackscripts volumes vpc"
        COMPREPLY=($(for s in $svc; do compgen -W "$s=none $s=ro $s=rw" -- "$cur"; done))
        return ;;
    esac
    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$commands $global" -- "$cur"))
        return
    fi
    local opts="--help $global"
    case $cmd in
    list | view) opts="$opts --json" ;;
    create) opts="$opts --label --expiry --scope --scopes --json" ;;
    revoke) opts="$opts --yes --ignore-missing --including-parent" ;;
    get) opts="$opts --profile --scopes --ttl --min-remaining --session --json" ;;
    env) opts="$opts --profile --scopes --ttl --min-remaining --session --fish" ;;
    exec) opts="$opts --profile --scopes --ttl --env" ;;
    end-session) opts="$opts --session --all --max-parallel" ;;
    reap) opts="$opts --dry-run --system --state-dir --queue-dir --max-parallel" ;;
    audit) opts="$opts --since --session --json" ;;
    status) opts="$opts --json" ;;
    setup-git) opts="$opts --unset" ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _linode_token linode-token
complete -W "get store erase --profile --config --session --version --help" git-credential-linode
