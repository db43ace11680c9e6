# SPDX-License-Identifier: MIT
# fish completion for linode-token and git-credential-linode

set -l __lt_commands list view create rename revoke get env exec end-session reap audit login logout status setup-git profiles rotate help
set -l __lt_services account child_account databases domains events firewall images ips linodes lke longview monitor nodebalancers object_storage stackscripts volumes vpc

# linode-token with the global options already on the line (same config, same parent); never
# waits long, never reads the terminal.
function __lt_run
    set -l words (commandline -opc)
    set -l g
    set -l i 2
    while test $i -le (count $words)
        switch $words[$i]
            case --config --api-url --parent-token-file
                set -a g $words[$i] $words[(math $i + 1)]
                set i (math $i + 1)
            case --allow-insecure-loopback
                set -a g $words[$i]
        end
        set i (math $i + 1)
    end
    timeout 3 $words[1] $g --timeout 2s $argv </dev/null 2>/dev/null
end

function __lt_tokens
    __lt_run list --text --no-headers --format id,label | while read -l -d \t id label
        printf '%s\t%s\n' $id $label
        printf '%s\t%s\n' $label $id
    end
end

function __lt_scopes # a,b: complete after the last comma
    set -l cur (commandline -ct | string replace -r '^--scopes=' '')
    set -l pre (string match -r '^.*,' -- $cur)
    for s in $argv
        printf '%s%s:ro\n%s%s:rw\n' "$pre" $s "$pre" $s
    end
end

# before exec's --, and not after it: then the command line is another command's
function __lt_no_exec_command
    set -l words (commandline -opc)
    contains -- exec $words; and contains -- -- $words; and return 1
    return 0
end

complete -c linode-token -f
complete -c linode-token -n "not __fish_seen_subcommand_from $__lt_commands" -a "$__lt_commands"
complete -c linode-token -n "__fish_seen_subcommand_from help" -a "$__lt_commands"
complete -c linode-token -n __lt_no_exec_command -l config -r -F -d 'config file'
complete -c linode-token -n __lt_no_exec_command -l api-url -x -d 'API base URL'
complete -c linode-token -n __lt_no_exec_command -l allow-insecure-loopback -d 'http to loopback (tests)'
complete -c linode-token -n __lt_no_exec_command -l parent-token-file -r -F -d 'parent token file'
complete -c linode-token -n __lt_no_exec_command -l timeout -x -d 'give up after DURATION'
complete -c linode-token -n __lt_no_exec_command -l debug -d 'trace requests, secrets redacted'
complete -c linode-token -n "__lt_no_exec_command; and __fish_seen_subcommand_from get env exec" -l profile -x -a "(__lt_run profiles --text --no-headers --format profile)"
complete -c linode-token -n "__lt_no_exec_command; and __fish_seen_subcommand_from get env exec create" -l scopes -x -a "(__lt_scopes $__lt_services)"
complete -c linode-token -n "__lt_no_exec_command; and __fish_seen_subcommand_from get env exec" -l ttl -x
complete -c linode-token -n "__fish_seen_subcommand_from get env" -l min-remaining -x
complete -c linode-token -n "__fish_seen_subcommand_from get env end-session profiles audit" -l session -x
complete -c linode-token -n "__fish_seen_subcommand_from env" -l format -x -a "sh fish json dotenv"
complete -c linode-token -n "__fish_seen_subcommand_from env" -l fish
complete -c linode-token -n "__lt_no_exec_command; and __fish_seen_subcommand_from exec" -l env -x
complete -c linode-token -n "__lt_no_exec_command; and __fish_seen_subcommand_from exec" -l nested -d 'inside another exec'
complete -c linode-token -n "__fish_seen_subcommand_from exec; and not __lt_no_exec_command" -x -a "(__fish_complete_subcommand --fcs-skip=3)"
complete -c linode-token -n "__fish_seen_subcommand_from create" -l label -x
complete -c linode-token -n "__fish_seen_subcommand_from create rotate" -l expiry -x -a "1mo 3mo 6mo never"
complete -c linode-token -n "__fish_seen_subcommand_from create" -l scope -x -a "(for s in $__lt_services; printf '%s=none\n%s=ro\n%s=rw\n' \$s \$s \$s; end)"
complete -c linode-token -n "__fish_seen_subcommand_from view rename revoke" -x -a "(__lt_tokens)"
complete -c linode-token -n "__fish_seen_subcommand_from revoke" -s y -l yes
complete -c linode-token -n "__fish_seen_subcommand_from revoke" -l ignore-missing
complete -c linode-token -n "__fish_seen_subcommand_from revoke" -l including-parent
complete -c linode-token -n "__fish_seen_subcommand_from end-session" -l all
complete -c linode-token -n "__fish_seen_subcommand_from end-session reap" -l max-parallel -x
complete -c linode-token -n "__fish_seen_subcommand_from reap" -s n -l dry-run
complete -c linode-token -n "__fish_seen_subcommand_from reap" -l system
complete -c linode-token -n "__fish_seen_subcommand_from reap" -l pam-config -r -F
complete -c linode-token -n "__fish_seen_subcommand_from reap" -l state-dir -r -a "(__fish_complete_directories)"
complete -c linode-token -n "__fish_seen_subcommand_from logout" -l keep-tokens
complete -c linode-token -n "__fish_seen_subcommand_from reap" -l queue-dir -r -a "(__fish_complete_directories)"
complete -c linode-token -n "__fish_seen_subcommand_from audit" -l since -x
complete -c linode-token -n "__fish_seen_subcommand_from list audit profiles" -l text
complete -c linode-token -n "__fish_seen_subcommand_from list audit profiles" -l no-headers
complete -c linode-token -n "__fish_seen_subcommand_from list audit profiles" -l delimiter -x
complete -c linode-token -n "__fish_seen_subcommand_from list audit profiles" -l all-columns
complete -c linode-token -n "__fish_seen_subcommand_from list" -l format -x -a "id label created expiry scopes token"
complete -c linode-token -n "__fish_seen_subcommand_from audit" -l format -x -a "time action id outcome session label detail"
complete -c linode-token -n "__fish_seen_subcommand_from profiles" -l format -x -a "profile scopes ttl max_ttl min_remaining api_url cached"
complete -c linode-token -n "__fish_seen_subcommand_from list view create rename revoke get end-session reap audit status profiles rotate login logout setup-git" -l json
complete -c linode-token -n "__fish_seen_subcommand_from rotate" -l end-sessions
complete -c linode-token -n "__fish_seen_subcommand_from setup-git" -l unset

complete -c git-credential-linode -f -a "get store erase"
complete -c git-credential-linode -l profile -x
complete -c git-credential-linode -l config -r -F
complete -c git-credential-linode -l session -x
complete -c git-credential-linode -l version
